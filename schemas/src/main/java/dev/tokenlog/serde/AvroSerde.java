package dev.tokenlog.serde;

import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link AvroSerializer} and {@link AvroDeserializer} for one generated class, sharing one registry
 * client (and so its caches). Use {@link AvroSerdes#serde} for a configured value serde.
 *
 * @param <T> the generated record type
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private SchemaRegistryClient client;
    private boolean ownsClient;
    private AvroSerializer<T> serializer;
    private AvroDeserializer<T> deserializer;

    /** A serde for {@code type}; the registry comes from {@link #configure}. */
    public AvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /** A ready serde using {@code client}, which stays owned by the caller. */
    public AvroSerde(Class<T> type, SchemaRegistryClient client, boolean isKey) {
        this(type);
        this.client = Objects.requireNonNull(client, "client");
        build(isKey);
    }

    /** Reads {@code tokenlog.registry.*} (see {@link RegistryConfig#from}) unless a client was given. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client == null) {
            client = new SchemaRegistryClient(RegistryConfig.from(configs));
            ownsClient = true;
        }
        build(isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return requireConfigured(serializer);
    }

    @Override
    public Deserializer<T> deserializer() {
        return requireConfigured(deserializer);
    }

    /** The generated class this serde handles. */
    public Class<T> type() {
        return type;
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private void build(boolean isKey) {
        serializer = new AvroSerializer<>(client, isKey);
        deserializer = new AvroDeserializer<>(type, client);
    }

    private <S> S requireConfigured(S part) {
        if (part == null) {
            throw new IllegalStateException("AvroSerde for " + type.getName()
                    + " is not configured: call configure() or use AvroSerdes.serde(type, config)");
        }
        return part;
    }
}
