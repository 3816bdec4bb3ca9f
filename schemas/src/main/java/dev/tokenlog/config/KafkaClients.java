package dev.tokenlog.config;

import dev.tokenlog.serde.AvroSerdes;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka clients every tokenlog app uses, configured one way. Keys are strings (request ids) and
 * values raw bytes: records are (de)serialised explicitly with the Avro serdes, so a record that
 * cannot be decoded is handled by the app (dead-lettered, skipped with a log) instead of stopping a
 * consumer inside {@code poll()}. Every client gets the same {@link KafkaSecurity} settings.
 */
public final class KafkaClients {
    /** Configuration key of the cluster's address. */
    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";

    private final String bootstrapServers;
    private final KafkaSecurity security;
    private final Map<String, Object> serdeConfig;

    /** Plaintext clients (tests against an unsecured broker). */
    public KafkaClients(String bootstrapServers, Map<String, Object> serdeConfig) {
        this(bootstrapServers, KafkaSecurity.NONE, serdeConfig);
    }

    /**
     * @param bootstrapServers {@code kafka.bootstrap.servers}
     * @param security         {@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code kafka.ssl.*}
     * @param serdeConfig      registry settings, see {@link RegistrySettings}
     */
    public KafkaClients(String bootstrapServers, KafkaSecurity security, Map<String, Object> serdeConfig) {
        this.bootstrapServers = bootstrapServers;
        this.security = security;
        this.serdeConfig = Map.copyOf(serdeConfig);
    }

    /**
     * The clients an app's configuration describes ({@code kafka.bootstrap.servers}, the {@link KafkaSecurity}
     * keys and the {@link RegistrySettings}), from a lookup such as
     * {@code k -> config.getOptionalValue(k, String.class)}: the one way every app builds its clients.
     */
    public static KafkaClients fromConfig(Function<String, Optional<String>> lookup) {
        String bootstrap = lookup.apply(BOOTSTRAP_SERVERS).orElseThrow(() -> new IllegalStateException(
                "Missing " + BOOTSTRAP_SERVERS + " (KAFKA_BOOTSTRAP_SERVERS): set it to the Kafka cluster's host:port list"));
        return new KafkaClients(bootstrap, KafkaSecurity.from(lookup), RegistrySettings.from(lookup));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public KafkaSecurity security() {
        return security;
    }

    /** An admin client; the caller closes it. */
    public Admin admin(String clientId) {
        return admin(clientId, Map.of());
    }

    /** As {@link #admin(String)}, with further admin settings (e.g. default.api.timeout.ms). */
    public Admin admin(String clientId, Map<String, Object> overrides) {
        Properties p = common(clientId);
        p.putAll(overrides);
        return Admin.create(p);
    }

    public Map<String, Object> serdeConfig() {
        return serdeConfig;
    }

    /** An idempotent, acks=all producer: ordered per key, no duplicates on retry. */
    public KafkaProducer<String, byte[]> producer(String clientId) {
        Properties p = common(clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // A couple of milliseconds of batching groups the chunks of many streams at little latency cost.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A read-committed consumer of raw bytes with manual commits; {@code groupId} null means manual
     * partition assignment outside any group.
     */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId) {
        return consumer(groupId, clientId, Map.of());
    }

    /** As {@link #consumer(String, String)}, with further consumer settings (e.g. session.timeout.ms). */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, Map<String, Object> overrides) {
        Properties p = common(clientId);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putAll(overrides);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** What every client shares: where the cluster is, who this client is, and how it authenticates. */
    private Properties common(String clientId) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.putAll(security.clientProperties());
        return p;
    }

    public <T extends SpecificRecord> Serializer<T> serializer(Class<T> type) {
        return AvroSerdes.serde(type, serdeConfig).serializer();
    }

    public <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        return AvroSerdes.serde(type, serdeConfig).deserializer();
    }
}
