package dev.tokenlog.serde;

import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes generated Avro records in the Confluent wire format (magic byte 0, 4-byte schema id, Avro
 * binary). The schema is registered (or, with {@code tokenlog.registry.auto-register=false}, looked
 * up) under the TopicNameStrategy subject {@code <topic>-value} or {@code <topic>-key}; the id is
 * cached per record class and topic, so only the first record of a class on a topic calls the
 * registry.
 *
 * <p>Kafka can create it from configuration (no-arg constructor, then {@link #configure}); code can
 * also pass a shared {@link SchemaRegistryClient}. Thread-safe.
 *
 * @param <T> the generated record type
 */
public final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private static final EncoderFactory ENCODERS = EncoderFactory.get();

    private final Map<Class<?>, ClassWriter> writers = new ConcurrentHashMap<>();
    private SchemaRegistryClient client;
    private boolean ownsClient;
    private boolean isKey;

    /** Per record class: its schema, a reusable writer, and the schema id per topic. */
    private record ClassWriter(Schema schema, SpecificDatumWriter<Object> writer, Map<String, Integer> ids) {}

    /** For Kafka's reflective creation; {@link #configure} must be called before use. */
    public AvroSerializer() {}

    /**
     * A ready serializer using {@code client}, which stays owned by the caller (not closed here).
     *
     * @param isKey whether records are keys (subject {@code <topic>-key}) or values ({@code <topic>-value})
     */
    public AvroSerializer(SchemaRegistryClient client, boolean isKey) {
        this.client = Objects.requireNonNull(client, "client");
        this.isKey = isKey;
    }

    /** Reads {@code tokenlog.registry.*} (see {@link RegistryConfig#from}) unless a client was given. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (client == null) {
            client = new SchemaRegistryClient(RegistryConfig.from(configs));
            ownsClient = true;
        }
    }

    /**
     * The framed record, or null for a null record (a tombstone).
     *
     * @throws dev.tokenlog.registry.SchemaRegistryException when the schema cannot be registered or found
     * @throws SerializationException when the record cannot be encoded
     */
    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure() or pass a client");
        }
        ClassWriter writer = writers.computeIfAbsent(record.getClass(), type -> newWriter(record.getSchema(), type));
        int id = schemaId(topic, writer);
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        WireFormat.writeHeader(out, id);
        try {
            BinaryEncoder encoder = ENCODERS.directBinaryEncoder(out, null);
            writer.writer().write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize " + record.getSchema().getFullName() + " for topic '"
                    + topic + "': " + e.getMessage() + ". A required field is probably null or of the wrong type; "
                    + "build records with the generated builder, which checks required fields.", e);
        }
        return out.toByteArray();
    }

    /** The subject records of {@code topic} are registered under (TopicNameStrategy). */
    public String subject(String topic) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private int schemaId(String topic, ClassWriter writer) {
        Integer id = writer.ids().get(topic);
        if (id == null) {
            // Not computeIfAbsent: the registry call must not hold a map lock; a duplicate call is harmless.
            id = client.idFor(subject(topic), writer.schema());
            writer.ids().put(topic, id);
        }
        return id;
    }

    private static ClassWriter newWriter(Schema schema, Class<?> type) {
        return new ClassWriter(schema, new SpecificDatumWriter<>(schema, AvroModels.forClass(type)),
                new ConcurrentHashMap<>());
    }
}
