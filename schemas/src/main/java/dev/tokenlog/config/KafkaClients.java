package dev.tokenlog.config;

import dev.tokenlog.serde.AvroSerdes;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
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
 * consumer inside {@code poll()}.
 */
public final class KafkaClients {
    private final String bootstrapServers;
    private final Map<String, Object> serdeConfig;

    /**
     * @param bootstrapServers {@code kafka.bootstrap.servers}
     * @param serdeConfig      registry settings, see {@link RegistrySettings}
     */
    public KafkaClients(String bootstrapServers, Map<String, Object> serdeConfig) {
        this.bootstrapServers = bootstrapServers;
        this.serdeConfig = Map.copyOf(serdeConfig);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Map<String, Object> serdeConfig() {
        return serdeConfig;
    }

    /** An idempotent, acks=all producer: ordered per key, no duplicates on retry. */
    public KafkaProducer<String, byte[]> producer(String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
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

    public <T extends SpecificRecord> Serializer<T> serializer(Class<T> type) {
        return AvroSerdes.serde(type, serdeConfig).serializer();
    }

    public <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        return AvroSerdes.serde(type, serdeConfig).deserializer();
    }
}
