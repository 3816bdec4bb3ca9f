package dev.tokenlog.deploy;

import dev.tokenlog.schemas.Topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void keepsTopicsRecordsAndClusterIdAcrossRestart() throws Exception {
        LocalKafkaSettings first = settings(2);
        String clusterId;
        RecordMetadata written;
        try (LocalKafka kafka = LocalKafka.start(first)) {
            clusterId = kafka.clusterId();
            assertThat(KafkaStorage.metaProperties(first.logDir())).exists();
            assertThat(partitionCounts(kafka)).containsOnlyKeys(TokenlogTopics.ALL).allSatisfy((topic, count) ->
                    assertThat(count).as(topic).isEqualTo(2));
            written = KafkaProbe.produce(first.bootstrapServers(), Topics.CHUNKS, "request-1",
                    "chunk survives restart");
        }

        // New ports on purpose: the static voter set must follow the controller to its new port.
        LocalKafkaSettings second = settings(2);
        try (LocalKafka kafka = LocalKafka.start(second)) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            ConsumerRecord<String, String> read = KafkaProbe.readAt(second.bootstrapServers(), written);
            assertThat(read.key()).isEqualTo("request-1");
            assertThat(read.value()).isEqualTo("chunk survives restart");
        }
    }

    @Test
    void creatingTopicsTwiceKeepsThemUnchanged() throws Exception {
        LocalKafkaSettings settings = settings(3);
        try (LocalKafka kafka = LocalKafka.start(settings); Admin admin = kafka.admin()) {
            TokenlogTopics.ensure(admin, 5, DEADLINE);
            assertThat(partitionCounts(kafka).values()).containsOnly(3);
            String retention = admin.describeConfigs(List.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, Topics.CHUNKS)))
                    .all().get().values().iterator().next().get("retention.ms").value();
            assertThat(Duration.ofMillis(Long.parseLong(retention))).isEqualTo(Duration.ofDays(7));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void acceptsBatchesCompressedWith(String codec) throws Exception {
        // The broker validates (decompresses) every batch it appends, so each codec's library
        // must be on its classpath; a missing one fails produce with UNKNOWN_SERVER_ERROR.
        try (LocalKafka kafka = LocalKafka.start(settings(1))) {
            String bootstrap = kafka.settings().bootstrapServers();
            RecordMetadata written = KafkaProbe.produce(bootstrap, Topics.REQUESTS, "k", codec, codec);
            assertThat(KafkaProbe.readAt(bootstrap, written).value()).isEqualTo(codec);
        }
    }

    @Test
    void rejectsEqualPortsWithAClearMessage() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LocalKafkaSettings.parse(
                        new String[] {"--port", "9100", "--controller-port", "9100"}, Map.of()))
                .withMessageContaining("must differ");
    }

    @Test
    void readsTheSecurityModeFromOptionOrEnvironmentAndRejectsOthers() {
        assertThat(LocalKafkaSettings.parse(new String[0], Map.of()).security())
                .isEqualTo(LocalKafkaSettings.Security.PLAINTEXT);
        assertThat(LocalKafkaSettings.parse(new String[0], Map.of("TOKENLOG_KAFKA_SECURITY", "SASL_SSL")).security())
                .isEqualTo(LocalKafkaSettings.Security.SASL_SSL);
        assertThat(LocalKafkaSettings.parse(new String[] {"--security", "sasl_ssl"}, Map.of()).security())
                .isEqualTo(LocalKafkaSettings.Security.SASL_SSL);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> LocalKafkaSettings.parse(new String[0], Map.of("TOKENLOG_KAFKA_SECURITY", "ssl")))
                .withMessageContaining("(TOKENLOG_KAFKA_SECURITY) must be plaintext or sasl_ssl, got 'ssl'");
    }

    /** The SCRAM users are written at format time: a directory formatted in plaintext mode cannot have them. */
    @Test
    void refusesSaslSslOnADataDirectoryFirstStartedInPlaintext() throws Exception {
        LocalKafkaSettings plaintext = settings(1);
        java.nio.file.Files.createDirectories(plaintext.logDir());
        java.nio.file.Files.writeString(KafkaStorage.metaProperties(plaintext.logDir()), "cluster.id=x\n");
        LocalKafkaSettings secured = new LocalKafkaSettings(plaintext.port(), plaintext.controllerPort(), dataDir, 1,
                LocalKafkaSettings.Security.SASL_SSL);
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> LocalKafka.start(secured))
                .withMessageContaining("started in plaintext mode").withMessageContaining("TOKENLOG_DATA_DIR");
        assertThat(dataDir.resolve("kafka-security")).doesNotExist();
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

    private LocalKafkaSettings settings(int partitions) throws IOException {
        List<Integer> ports = LauncherProcess.freePorts(2);
        return new LocalKafkaSettings(ports.get(0), ports.get(1), dataDir, partitions);
    }
}
