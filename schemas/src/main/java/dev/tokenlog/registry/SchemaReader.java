package dev.tokenlog.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Turns a registry answer ({@code schema} plus optional {@code references}) into an Avro schema.
 *
 * <p>Schemas that tokenlog registers are self-contained, but Apicurio's serializers (3.x, default
 * {@code apicurio.registry.dereference-schema=false}) register every nested named type as its own
 * subject and the record with Confluent-style references to them. Referenced schemas are fetched
 * (dependencies first) and parsed into one {@link Schema.Parser}, so their names resolve.
 */
final class SchemaReader {
    /** Far more than any real schema nests; stops a malicious or broken reference graph. */
    private static final int MAX_REFERENCES = 500;

    private final RegistryHttp http;
    private final String url;

    SchemaReader(RegistryHttp http, String url) {
        this.http = http;
        this.url = url;
    }

    /** The schema in {@code reply}, with its references resolved. */
    Schema read(String operation, RegistryHttp.Reply reply) {
        Schema.Parser parser = new Schema.Parser();
        Set<String> loaded = new HashSet<>();
        loadReferences(operation, parser, reply.body().path("references"), loaded);
        return parse(operation, parser, reply.textField(operation, "schema"));
    }

    private void loadReferences(String operation, Schema.Parser parser, JsonNode references, Set<String> loaded) {
        for (JsonNode reference : references) {
            String subject = reference.path("subject").asText();
            String version = reference.path("version").asText();
            if (subject.isEmpty() || version.isEmpty()) {
                throw new SchemaRegistryException.HttpError(operation, 200,
                        "malformed schema reference " + reference, url);
            }
            if (!loaded.add(subject + "/" + version)) {
                continue;
            }
            if (loaded.size() > MAX_REFERENCES) {
                throw new SchemaRegistryException.HttpError(operation, 200,
                        "more than " + MAX_REFERENCES + " schema references", url);
            }
            String step = operation + " (reference " + subject + " version " + version + ")";
            RegistryHttp.Reply answer = http.get(step,
                    "/subjects/" + RegistryHttp.encode(subject) + "/versions/" + RegistryHttp.encode(version));
            if (answer.status() != 200) {
                throw http.failure(step, answer);
            }
            loadReferences(operation, parser, answer.body().path("references"), loaded);
            parse(step, parser, answer.textField(step, "schema"));
        }
    }

    private Schema parse(String operation, Schema.Parser parser, String text) {
        try {
            return parser.parse(text);
        } catch (AvroRuntimeException e) {
            throw new SchemaRegistryException.HttpError(operation, 200,
                    "the registry returned a schema that is not valid Avro: " + e.getMessage(), url);
        }
    }
}
