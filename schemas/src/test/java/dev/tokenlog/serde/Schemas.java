package dev.tokenlog.serde;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;

/** Derives variants of a record schema for evolution tests (same name, so Avro resolves them). */
public final class Schemas {
    private Schemas() {}

    /** {@code schema} without the named top-level fields. */
    public static Schema without(Schema schema, String... fieldNames) {
        Set<String> drop = Set.copyOf(Arrays.asList(fieldNames));
        List<Schema.Field> kept = schema.getFields().stream()
                .filter(f -> !drop.contains(f.name()))
                .map(f -> new Schema.Field(f, f.schema()))
                .toList();
        if (kept.size() + drop.size() != schema.getFields().size()) {
            throw new IllegalArgumentException("not all of " + drop + " are fields of " + schema.getFullName());
        }
        return copy(schema, kept);
    }

    /** {@code schema} with {@code extra} appended as the last top-level field. */
    public static Schema with(Schema schema, Schema.Field extra) {
        List<Schema.Field> fields = new java.util.ArrayList<>(
                schema.getFields().stream().map(f -> new Schema.Field(f, f.schema())).toList());
        fields.add(extra);
        return copy(schema, fields);
    }

    private static Schema copy(Schema schema, List<Schema.Field> fields) {
        Schema copy = Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false);
        copy.setFields(fields);
        return copy;
    }
}
