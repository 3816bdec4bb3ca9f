package dev.tokenlog.registry;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent schema-registry REST API (as served by Confluent Schema Registry
 * and by Apicurio Registry under {@code /apis/ccompat/v7}), limited to what the tokenlog serdes and
 * tests need. Schemas are registered self-contained; schemas read may use references.
 *
 * <p>Successful answers are cached: (subject, schema) to id and id to schema. Ids and schemas never
 * change once assigned, so the caches need no expiry. Instances are thread-safe; share one per
 * registry where convenient.
 */
public final class SchemaRegistryClient implements AutoCloseable {
    private final RegistryConfig config;
    private final RegistryHttp http;
    private final SchemaReader reader;
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    /** A client for the registry described by {@code config}; no call is made until one is needed. */
    public SchemaRegistryClient(RegistryConfig config) {
        this.config = config;
        this.http = new RegistryHttp(config);
        this.reader = new SchemaReader(http, config.redactedUrl());
    }

    /** The configuration this client was built with. */
    public RegistryConfig config() {
        return config;
    }

    /**
     * Registers {@code schema} under {@code subject} (or finds it when already registered).
     *
     * @return the schema id the registry assigned
     * @throws SchemaRegistryException.IncompatibleSchema when the subject's compatibility rule refuses it
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        String operation = "register a schema under subject '" + subject + "'";
        RegistryHttp.Reply reply = http.post(operation, "/subjects/" + RegistryHttp.encode(subject) + "/versions",
                schemaBody(schema));
        return switch (reply.status()) {
            case 200 -> remember(key, reply.intField(operation, "id"));
            case 409 -> throw new SchemaRegistryException.IncompatibleSchema(subject, reply.message());
            default -> throw http.failure(operation, reply);
        };
    }

    /**
     * Finds the id of {@code schema} under {@code subject} without registering it.
     *
     * @throws SchemaRegistryException.NotRegistered when the subject or this schema is not registered
     */
    public int lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        String operation = "look up a schema under subject '" + subject + "'";
        RegistryHttp.Reply reply = http.post(operation, "/subjects/" + RegistryHttp.encode(subject), schemaBody(schema));
        if (reply.status() == 200) {
            return remember(key, reply.intField(operation, "id"));
        }
        if (reply.isRegistryNotFound()) {
            throw new SchemaRegistryException.NotRegistered(subject, config.redactedUrl(), reply.message());
        }
        throw http.failure(operation, reply);
    }

    /** {@link #register} when {@link RegistryConfig#autoRegister()} is on, otherwise {@link #lookup}. */
    public int idFor(String subject, Schema schema) {
        return config.autoRegister() ? register(subject, schema) : lookup(subject, schema);
    }

    /**
     * The schema registered with {@code id}.
     *
     * @throws SchemaRegistryException.UnknownSchemaId when the registry does not know the id
     */
    public Schema schemaById(int id) {
        Schema cached = schemas.get(id);
        if (cached != null) {
            return cached;
        }
        String operation = "fetch schema id " + id;
        RegistryHttp.Reply reply = http.get(operation, "/schemas/ids/" + id);
        if (reply.status() == 200) {
            Schema schema = reader.read(operation, reply);
            Schema previous = schemas.putIfAbsent(id, schema);
            return previous != null ? previous : schema;
        }
        if (reply.isRegistryNotFound()) {
            throw new SchemaRegistryException.UnknownSchemaId(id, config.redactedUrl());
        }
        throw http.failure(operation, reply);
    }

    /**
     * Whether {@code schema} may be registered next under {@code subject}, judged by the subject's
     * compatibility level against its latest version. A subject without versions accepts anything.
     */
    public boolean isCompatible(String subject, Schema schema) {
        String operation = "check compatibility for subject '" + subject + "'";
        RegistryHttp.Reply reply = http.post(operation,
                "/compatibility/subjects/" + RegistryHttp.encode(subject) + "/versions/latest", schemaBody(schema));
        if (reply.status() == 200) {
            return reply.booleanField(operation, "is_compatible");
        }
        // 40401 subject not found, 40402 version not found: nothing to be incompatible with.
        if (reply.isRegistryNotFound()) {
            return true;
        }
        throw http.failure(operation, reply);
    }

    /** Sets the compatibility level of one subject, e.g. {@code BACKWARD}, {@code FULL_TRANSITIVE}, {@code NONE}. */
    public void setCompatibility(String subject, String level) {
        String operation = "set compatibility of subject '" + subject + "' to " + level;
        RegistryHttp.Reply reply = http.put(operation, "/config/" + RegistryHttp.encode(subject),
                Map.of("compatibility", level));
        if (reply.status() != 200) {
            throw http.failure(operation, reply);
        }
    }

    /** The latest schema registered under {@code subject}, or empty when the subject has none. */
    public Optional<Schema> latest(String subject) {
        String operation = "fetch the latest schema of subject '" + subject + "'";
        RegistryHttp.Reply reply = http.get(operation, "/subjects/" + RegistryHttp.encode(subject) + "/versions/latest");
        if (reply.status() == 200) {
            Schema schema = reader.read(operation, reply);
            schemas.putIfAbsent(reply.intField(operation, "id"), schema);
            return Optional.of(schema);
        }
        if (reply.isRegistryNotFound()) {
            return Optional.empty();
        }
        throw http.failure(operation, reply);
    }

    /** Number of cached (subject, schema) ids; for tests of the caching behaviour. */
    int cachedIdCount() {
        return ids.size();
    }

    /** Releases the HTTP client. */
    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient[" + config + "]";
    }

    private int remember(SubjectSchema key, int id) {
        ids.put(key, id);
        schemas.putIfAbsent(id, key.schema());
        return id;
    }

    private static Map<String, Object> schemaBody(Schema schema) {
        return Map.of("schema", schema.toString(), "schemaType", "AVRO");
    }
}
