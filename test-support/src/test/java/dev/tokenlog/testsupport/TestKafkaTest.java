package dev.tokenlog.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class TestKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final TestKafka kafka = TestKafka.shared();

    @Test
    void sharedReturnsOneBrokerPerJvm() {
        assertThat(TestKafka.shared()).isSameAs(kafka);
        assertThat(kafka.bootstrapServers()).matches("localhost:\\d+");
    }

    @Test
    void producedRecordIsConsumedBack() throws Exception {
        String topic = uniqueTopic();
        kafka.createTopics(1, topic);

        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
        }

        assertThat(consumeUntil(topic, "read_uncommitted", 1))
                .singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualTo("hello"));
    }

    @Test
    void onlyCommittedTransactionsReachReadCommittedConsumers() {
        String topic = uniqueTopic();
        kafka.createTopics(1, topic);

        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + topic),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
        }

        assertThat(consumeUntil(topic, "read_committed", 1))
                .extracting(ConsumerRecord::value)
                .containsExactly("committed");
    }

    @Test
    void createTopicsIsIdempotentButRefusesAnotherPartitionCount() throws Exception {
        String topic = uniqueTopic();
        kafka.createTopics(3, topic);
        kafka.createTopics(3, topic);

        try (Admin admin = kafka.admin()) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(3);
        }
        assertThatThrownBy(() -> kafka.createTopics(2, topic))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already exists with 3 partitions");
    }

    private List<ConsumerRecord<String, String>> consumeUntil(String topic, String isolation, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            // Same thread: KafkaConsumer is single-threaded.
            await().atMost(WAIT).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }

    private static String uniqueTopic() {
        return "test-" + UUID.randomUUID();
    }
}
