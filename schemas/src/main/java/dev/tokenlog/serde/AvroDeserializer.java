package dev.tokenlog.serde;

import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into a generated class. The writer schema is fetched by the id in
 * the record (and cached); Avro schema resolution then maps it onto the class's schema, so records
 * written with an older or newer compatible schema read fine, with defaults for fields the writer
 * did not have.
 *
 * <p>Kafka can create it from configuration: the no-arg constructor reads the target class from
 * {@value #VALUE_TYPE} (or {@value #KEY_TYPE} for keys). A null payload (tombstone) reads as null;
 * anything that is not a valid framed record fails with a {@link SerializationException} that says
 * what was found.
 *
 * @param <T> the generated record type
 */
public final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    /** Fully qualified name of the generated class values are read into. */
    public static final String VALUE_TYPE = "tokenlog.avro.value-type";
    /** Fully qualified name of the generated class keys are read into. */
    public static final String KEY_TYPE = "tokenlog.avro.key-type";

    private static final DecoderFactory DECODERS = DecoderFactory.get();

    /** Readers by writer schema id; each resolves that writer schema onto the target class. */
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private Class<T> type;
    private SpecificData model;
    private SchemaRegistryClient client;
    private boolean ownsClient;

    /** For Kafka's reflective creation; the target class comes from {@link #VALUE_TYPE} or {@link #KEY_TYPE}. */
    public AvroDeserializer() {}

    /** Reads into {@code type}; the registry comes from {@link #configure}. */
    public AvroDeserializer(Class<T> type) {
        setType(Objects.requireNonNull(type, "type"));
    }

    /** A ready deserializer using {@code client}, which stays owned by the caller (not closed here). */
    public AvroDeserializer(Class<T> type, SchemaRegistryClient client) {
        this(type);
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (type == null) {
            setType(typeFromConfig(configs, isKey ? KEY_TYPE : VALUE_TYPE));
        }
        if (client == null) {
            client = new SchemaRegistryClient(RegistryConfig.from(configs));
            ownsClient = true;
        }
    }

    /**
     * The record, or null for a null payload (tombstone).
     *
     * @throws dev.tokenlog.registry.SchemaRegistryException when the schema id is unknown or the registry fails
     * @throws SerializationException when the payload is not a valid framed record of a compatible schema
     */
    @Override
    public T deserialize(String topic, byte[] payload) {
        if (payload == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure() or pass a client");
        }
        int id = WireFormat.schemaId(topic, payload);
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            Schema writerSchema = client.schemaById(id);
            reader = new SpecificDatumReader<>(writerSchema, model.getSchema(type), model);
            readers.put(id, reader);
        }
        BinaryDecoder decoder = DECODERS.binaryDecoder(payload, WireFormat.HEADER_SIZE,
                payload.length - WireFormat.HEADER_SIZE, null);
        try {
            return reader.read(null, decoder);
        } catch (AvroTypeException e) {
            throw new SerializationException("Record on topic '" + topic + "' with schema id " + id + " ("
                    + reader.getSchema().getFullName() + ") cannot be read as " + type.getName() + ": "
                    + e.getMessage() + ". The writer schema is not compatible with this reader's schema.", e);
        } catch (EOFException e) {
            throw new SerializationException("Truncated Avro body on topic '" + topic + "': " + payload.length
                    + " bytes with schema id " + id + " end before the record is complete.", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Corrupt Avro body on topic '" + topic + "' (schema id " + id + ", "
                    + payload.length + " bytes): " + e + ". The bytes do not match the writer schema.", e);
        }
    }

    /** The class records are read into (null until configured when created without one). */
    public Class<T> type() {
        return type;
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private void setType(Class<T> type) {
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new ConfigException(type.getName() + " is not a generated Avro class (SpecificRecord)");
        }
        this.type = type;
        this.model = AvroModels.forClass(type);
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> typeFromConfig(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value instanceof Class<?> c) {
            return (Class<T>) c;
        }
        if (value == null || value.toString().isBlank()) {
            throw new ConfigException("Missing " + key + ": set it to the generated Avro class to read, e.g. "
                    + "dev.tokenlog.avro.ChunkRecord");
        }
        String name = value.toString().strip();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            return (Class<T>) Class.forName(name, true, loader != null ? loader : AvroDeserializer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException(key + " names class '" + name + "', which is not on the classpath");
        }
    }
}
