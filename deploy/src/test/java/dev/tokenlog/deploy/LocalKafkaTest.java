package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void keepsTopicsRecordsAndClusterIdAcrossRestart() throws Exception {
        LocalKafkaSettings first = new LocalKafkaSettings(freePort(), freePort(), dataDir, 2);
        String clusterId;
        RecordMetadata written;
        try (LocalKafka kafka = LocalKafka.start(first)) {
            clusterId = kafka.clusterId();
            assertThat(KafkaStorage.metaProperties(first.logDir())).exists();
            assertThat(partitionCounts(kafka)).containsOnlyKeys(TokenlogTopics.ALL).allSatisfy((topic, count) ->
                    assertThat(count).as(topic).isEqualTo(2));
            written = produce(first, TokenlogTopics.CHUNKS, "request-1", "chunk survives restart");
        }

        // New ports on purpose: the static voter set must follow the controller to its new port.
        LocalKafkaSettings second = new LocalKafkaSettings(freePort(), freePort(), dataDir, 2);
        try (LocalKafka kafka = LocalKafka.start(second)) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            ConsumerRecord<String, String> read = readAt(second, written);
            assertThat(read.key()).isEqualTo("request-1");
            assertThat(read.value()).isEqualTo("chunk survives restart");
        }
    }

    @Test
    void creatingTopicsTwiceKeepsThemUnchanged() throws Exception {
        LocalKafkaSettings settings = new LocalKafkaSettings(freePort(), freePort(), dataDir, 3);
        try (LocalKafka kafka = LocalKafka.start(settings); Admin admin = kafka.admin()) {
            TokenlogTopics.ensure(admin, 5, DEADLINE);
            assertThat(partitionCounts(kafka).values()).containsOnly(3);
            String retention = admin.describeConfigs(List.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, TokenlogTopics.CHUNKS)))
                    .all().get().values().iterator().next().get("retention.ms").value();
            assertThat(Duration.ofMillis(Long.parseLong(retention))).isEqualTo(Duration.ofDays(7));
        }
    }

    @Test
    void rejectsEqualPortsWithAClearMessage() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LocalKafkaSettings.parse(
                        new String[] {"--port", "9100", "--controller-port", "9100"}, Map.of()))
                .withMessageContaining("must differ");
    }

    private static Map<String, Integer> partitionCounts(LocalKafka kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                    admin.listTopics().names().get().stream().filter(t -> t.startsWith("llm.")).toList())
                    .allTopicNames().get();
            return topics.entrySet().stream().collect(Collectors.toMap(
                    Map.Entry::getKey, e -> e.getValue().partitions().size()));
        }
    }

    private static RecordMetadata produce(LocalKafkaSettings s, String topic, String key, String value)
            throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static ConsumerRecord<String, String> readAt(LocalKafkaSettings s, RecordMetadata at) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        TopicPartition partition = new TopicPartition(at.topic(), at.partition());
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Set.of(partition));
            consumer.seek(partition, at.offset());
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(DEADLINE);
            while (records.isEmpty() && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).as("record at %s-%d@%d after restart", at.topic(), at.partition(), at.offset())
                    .isNotEmpty();
            return records.getFirst();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
