package dev.tokenlog.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

class TokenlogTestResourceTest {

    @Test
    void startCreatesEveryTopicAndPointsQuarkusAtTheSharedServices() throws Exception {
        var resource = new TokenlogTestResource();

        Map<String, String> config = resource.start();

        String bootstrap = TestKafka.shared().bootstrapServers();
        assertThat(config)
                .containsEntry("kafka.bootstrap.servers", bootstrap)
                .containsEntry("quarkus.kafka-streams.bootstrap-servers", bootstrap)
                .containsEntry("tokenlog.registry.url", TestRegistry.shared().ccompatUrl())
                .containsEntry("quarkus.devservices.enabled", "false")
                .containsEntry("quarkus.kafka.devservices.enabled", "false");
        try (Admin admin = TestKafka.shared().admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(TokenlogTestResource.TOPICS).allTopicNames().get();
            assertThat(topics.values())
                    .hasSize(TokenlogTestResource.TOPICS.size())
                    .allSatisfy(t -> assertThat(t.partitions()).hasSize(TokenlogTestResource.PARTITIONS));
        }
        resource.stop();
    }

    @Test
    void eachStartGetsAFreshStateDirectoryThatStopDeletes() throws Exception {
        var first = new TokenlogTestResource();
        var second = new TokenlogTestResource();
        Path firstDir = Path.of(first.start().get("kafka-streams.state.dir"));
        Path secondDir = Path.of(second.start().get("kafka-streams.state.dir"));

        assertThat(firstDir).isDirectory().isNotEqualTo(secondDir);
        Files.createDirectories(firstDir.resolve("app/0_0"));
        Files.writeString(firstDir.resolve("app/0_0/.checkpoint"), "stale");

        first.stop();
        second.stop();
        assertThat(firstDir).doesNotExist();
        assertThat(secondDir).doesNotExist();
    }
}
