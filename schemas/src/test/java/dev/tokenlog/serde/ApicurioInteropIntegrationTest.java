package dev.tokenlog.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Our serdes and Apicurio's 3.x Kafka serdes read each other's records through a real broker and the
 * same real registry: both write the Confluent wire format with 4-byte content ids, and the ccompat
 * API's ids are content ids.
 */
class ApicurioInteropIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * Apicurio serde settings for Confluent-compatible records: 4-byte content ids without headers
     * (3.x defaults, set explicitly because 2.x defaulted to 8-byte global ids in headers), subjects by
     * topic name, and self-contained schemas ({@code dereference-schema}; without it the serializer
     * registers each nested type as a separate subject referenced from the record's schema).
     */
    static Map<String, Object> apicurioConfig() {
        Map<String, Object> config = apicurioDefaults();
        config.put("apicurio.registry.dereference-schema", "true");
        return config;
    }

    /** The settings above minus {@code dereference-schema}: Apicurio registers schemas with references. */
    static Map<String, Object> apicurioDefaults() {
        Map<String, Object> config = new HashMap<>();
        config.put("apicurio.registry.url", TestRegistry.shared().registryV3Url());
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", "false");
        config.put("apicurio.registry.artifact-resolver-strategy", "io.apicurio.registry.serde.strategy.TopicIdStrategy");
        config.put("apicurio.registry.auto-register", "true");
        config.put("apicurio.registry.use-specific-avro-reader", "true");
        return config;
    }

    static Map<String, Object> tokenlogConfig(Class<?> valueType) {
        return Map.of(RegistryConfig.URL, TestRegistry.shared().ccompatUrl(),
                AvroDeserializer.VALUE_TYPE, valueType.getName());
    }

    @Test
    void chunksWrittenByUsAreReadByApicurio() {
        List<ChunkRecord> sent = SampleRecords.chunkEvents().stream().map(SampleRecords::chunk).toList();
        String topic = topic("ours-to-apicurio");

        produce(topic, AvroSerializer.class, tokenlogConfig(ChunkRecord.class), sent);
        List<Object> received = consume(topic, AvroKafkaDeserializer.class, apicurioConfig(), sent.size());

        assertThat(received).containsExactlyElementsOf(sent);
        assertThat(received).allSatisfy(r -> assertThat(r).isInstanceOf(ChunkRecord.class));
    }

    @Test
    void chunksWrittenByApicurioAreReadByUs() {
        List<ChunkRecord> sent = SampleRecords.chunkEvents().stream().map(SampleRecords::chunk).toList();
        String topic = topic("apicurio-to-ours");

        produce(topic, AvroKafkaSerializer.class, apicurioConfig(), sent);
        List<Object> received = consume(topic, AvroDeserializer.class, tokenlogConfig(ChunkRecord.class), sent.size());

        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void chunksWrittenByApicurioWithSchemaReferencesAreReadByUs() {
        List<ChunkRecord> sent = SampleRecords.chunkEvents().stream().map(SampleRecords::chunk).toList();
        String topic = topic("apicurio-references");

        produce(topic, AvroKafkaSerializer.class, apicurioDefaults(), sent);
        List<Object> received = consume(topic, AvroDeserializer.class, tokenlogConfig(ChunkRecord.class), sent.size());

        assertThat(received).containsExactlyElementsOf(sent);
    }

    @Test
    void answersWithOptionalTimestampsCrossBothWays() {
        List<FinalAnswer> sent = List.of(SampleRecords.completedAnswer(), SampleRecords.failedAnswer());
        String oursToTheirs = topic("answers-ours");
        String theirsToOurs = topic("answers-apicurio");

        produce(oursToTheirs, AvroSerializer.class, tokenlogConfig(FinalAnswer.class), sent);
        produce(theirsToOurs, AvroKafkaSerializer.class, apicurioConfig(), sent);

        assertThat(consume(oursToTheirs, AvroKafkaDeserializer.class, apicurioConfig(), 2)).containsExactlyElementsOf(sent);
        assertThat(consume(theirsToOurs, AvroDeserializer.class, tokenlogConfig(FinalAnswer.class), 2))
                .containsExactlyElementsOf(sent);
    }

    @Test
    void apicurioRegistersUnderTheSameSubjectAndIdAsUs() {
        String topic = topic("same-id");
        ChunkRecord chunk = SampleRecords.chunk(SampleRecords.chunkEvents().getFirst());
        produce(topic, AvroKafkaSerializer.class, apicurioConfig(), List.of(chunk));

        byte[] theirs = consumeRaw(topic, 1).getFirst();
        try (SchemaRegistryClient client = new SchemaRegistryClient(RegistryConfig.of(TestRegistry.shared().ccompatUrl()));
             AvroSerializer<ChunkRecord> ours = new AvroSerializer<>(client, false)) {
            assertThat(client.latest(topic + "-value")).contains(ChunkRecord.getClassSchema());
            assertThat(WireFormat.schemaId(topic, ours.serialize(topic, chunk))).isEqualTo(WireFormat.schemaId(topic, theirs));
        }
    }

    private static String topic(String name) {
        String topic = "it.interop." + name + "." + UUID.randomUUID();
        TestKafka.shared().createTopics(1, topic);
        return topic;
    }

    private static <T extends SpecificRecord> void produce(String topic, Class<?> serializer, Map<String, Object> serdeConfig,
            List<T> records) {
        Map<String, Object> config = new HashMap<>(serdeConfig);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serializer.getName());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(config)) {
            for (T record : records) {
                producer.send(new ProducerRecord<>(topic, SampleRecords.REQUEST_ID, record));
            }
            producer.flush();
        }
    }

    private static List<Object> consume(String topic, Class<?> deserializer, Map<String, Object> serdeConfig, int count) {
        Map<String, Object> config = consumerConfig(serdeConfig);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, deserializer.getName());
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(config)) {
            return pollAll(consumer, topic, count).stream().map(ConsumerRecord::value).toList();
        }
    }

    private static List<byte[]> consumeRaw(String topic, int count) {
        Map<String, Object> config = consumerConfig(Map.of());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            return pollAll(consumer, topic, count).stream().map(ConsumerRecord::value).toList();
        }
    }

    private static Map<String, Object> consumerConfig(Map<String, Object> serdeConfig) {
        Map<String, Object> config = new HashMap<>(serdeConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return config;
    }

    private static <V> List<ConsumerRecord<String, V>> pollAll(KafkaConsumer<String, V> consumer, String topic, int count) {
        consumer.subscribe(List.of(topic));
        List<ConsumerRecord<String, V>> received = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        assertThat(received).as("records received from %s", topic).hasSize(count);
        return received;
    }
}
