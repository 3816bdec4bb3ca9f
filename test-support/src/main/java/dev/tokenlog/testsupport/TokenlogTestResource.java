package dev.tokenlog.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Points a {@code @QuarkusTest} at the shared real broker ({@link TestKafka}) and registry
 * ({@link TestRegistry}), with every tokenlog topic created.
 *
 * <p>Use with {@code @WithTestResource(TokenlogTestResource.class)}. The broker and the registry stay
 * up for the whole JVM; only the Kafka Streams state directory is per start, because stale local
 * state against a broker that never saw it duplicates folded results.
 */
public class TokenlogTestResource implements QuarkusTestResourceLifecycleManager {
    /** Every topic the tokenlog services use. */
    public static final List<String> TOPICS = List.of(
            "llm.requests", "llm.chunks", "llm.answers", "llm.control", "llm.metrics", "llm.stream-index",
            "llm.requests.dlq");

    /** Partitions of each topic in {@link #TOPICS}; more than one, so per-key ordering is exercised. */
    public static final int PARTITIONS = 3;

    private Path stateDir;

    /** Starts (or reuses) the broker and the registry, creates {@link #TOPICS}, and returns their config. */
    @Override
    public Map<String, String> start() {
        // Sequential on purpose: starting both at once measured no faster on 2 cores.
        TestKafka kafka = TestKafka.shared();
        TestRegistry registry = TestRegistry.shared();
        kafka.createTopics(PARTITIONS, TOPICS.toArray(String[]::new));
        try {
            stateDir = Files.createTempDirectory("tokenlog-streams-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a Kafka Streams state directory", e);
        }
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.kafka-streams.bootstrap-servers", kafka.bootstrapServers(),
                "tokenlog.registry.url", registry.ccompatUrl(),
                "kafka-streams.state.dir", stateDir.toString(),
                // Test profiles restart the app in the same group; a short session hands the fold's
                // partitions over quickly if the previous instance's leave did not reach the broker.
                "kafka-streams.consumer.session.timeout.ms", "10000",
                // Gateway and workers of a test share this machine's clock (deploy/local/run does the same).
                "tokenlog.gateway.clock-skew", "1s",
                // No Docker here, and the real broker and registry above replace Dev Services.
                "quarkus.devservices.enabled", "false",
                "quarkus.kafka.devservices.enabled", "false");
    }

    /** Deletes this start's state directory; the broker and registry keep running for other tests. */
    @Override
    public void stop() {
        if (stateDir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // Already gone: nothing to clean.
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete Kafka Streams state directory " + stateDir, e);
        }
        stateDir = null;
    }
}
