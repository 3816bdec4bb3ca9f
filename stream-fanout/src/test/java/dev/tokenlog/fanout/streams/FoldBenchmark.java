package dev.tokenlog.fanout.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.schemas.RequestIds;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the stream-fanout topology (answer fold + throughput windows, exactly_once_v2, the
 * app's settings) on the real in-JVM broker: a warm-up batch and then N chunk records of many
 * concurrent requests are written first, then one Kafka Streams instance folds them in log order. The
 * figure is chunks folded per second over the measured batch, after the warm-up batch has brought the
 * JIT to steady state (a cold JVM spends a core compiling for the first ~20 s; that figure is printed
 * too). Not a test of the normal suite (tag {@code benchmark}); run with
 * {@code ./mvnw -B -pl stream-fanout -am verify -Pbench -Dtest=FoldBenchmark} (see README). Sizes and
 * settings: {@code -Dbench.requests=5000 -Dbench.chunks-per-request=100 -Dbench.warmup-requests=3000},
 * and any Kafka Streams property as {@code -Dbench.streams.<property>=<value>}, e.g.
 * {@code -Dbench.streams.statestore.cache.max.bytes=0}.
 */
@Tag("benchmark")
class FoldBenchmark {
    @TempDir
    Path stateDir;

    @Test
    void foldsChunksOfManyConcurrentRequests() {
        int requests = Integer.getInteger("bench.requests", 5000);
        int perRequest = Math.max(3, Integer.getInteger("bench.chunks-per-request", 100));
        int warmupRequests = Integer.getInteger("bench.warmup-requests", 3000);
        long warmup = (long) warmupRequests * perRequest;
        long total = (long) requests * perRequest;
        Map<String, Object> overrides = streamsOverrides();
        try (StreamsHarness harness = new StreamsHarness("bench")) {
            produce(harness, warmupRequests, perRequest);
            long produceStart = System.nanoTime();
            produce(harness, requests, perRequest);
            double produceSeconds = (System.nanoTime() - produceStart) / 1e9;

            FoldMetrics metrics = new FoldMetrics();
            KafkaStreams streams = harness.start(stateDir, metrics, overrides);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5)).until(() -> metrics.chunksFolded() > 0);
            long coldStart = System.nanoTime();
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(5)).until(() -> metrics.chunksFolded() >= warmup);
            double coldSeconds = (System.nanoTime() - coldStart) / 1e9;
            long foldStart = System.nanoTime();
            long foldedAtStart = metrics.chunksFolded();
            ThreadCpu cpu = new ThreadCpu();
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(5))
                    .until(() -> metrics.chunksFolded() >= warmup + total);
            double foldSeconds = (System.nanoTime() - foldStart) / 1e9;
            long folded = metrics.chunksFolded() - foldedAtStart;
            String cpuReport = cpu.report(8);
            await().atMost(Duration.ofMinutes(2)).until(() -> metrics.answersEmitted() >= warmupRequests + requests);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(harness::caughtUp);
            double committedSeconds = (System.nanoTime() - foldStart) / 1e9;

            System.out.printf("%nfold benchmark: %,d chunks of %,d concurrent requests (%d chunks each), %d partitions%n"
                            + "  produced in %.1f s (%,.0f chunks/s)%n"
                            + "  warm-up: %,d chunks of %,d requests folded in %.1f s by a cold JVM (%,.0f chunks/s)%n"
                            + "  folded in %.1f s: %,.0f chunks/s; all committed after %.1f s (%,.0f chunks/s)%n"
                            + "  settings: %s%n  CPU time by thread while folding (this JVM: broker, streams, registry client):%n%s%n%n",
                    total, requests, perRequest, StreamsHarness.PARTITIONS, produceSeconds, total / produceSeconds,
                    warmup, warmupRequests, coldSeconds, warmup / coldSeconds,
                    foldSeconds, folded / foldSeconds, committedSeconds, total / committedSeconds, settings(overrides),
                    cpuReport);
            assertThat(metrics.answersEmitted()).isEqualTo(warmupRequests + requests);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    /** Interleaves the requests' chunks as concurrent workers would: chunk k of every request, then k+1. */
    private static void produce(StreamsHarness harness, int requests, int perRequest) {
        String[] ids = new String[requests];
        for (int r = 0; r < requests; r++) {
            ids[r] = RequestIds.newId();
        }
        Instant at = Instant.now();
        for (int k = 0; k < perRequest; k++) {
            Object event = k == 0 ? new Started("mock", "bench", 0)
                    : k == perRequest - 2 ? new Usage(12L, (long) perRequest - 3, 0L, 0L)
                    : k == perRequest - 1 ? new Completed(FinishReason.STOP, "stop")
                    : new TextDelta("token" + k + " ");
            for (String id : ids) {
                harness.sendAsync(new ChunkRecord(id, "a1", (long) k, at.plusMillis(k), event));
            }
        }
        harness.flush();
    }

    private static Map<String, Object> streamsOverrides() {
        Map<String, Object> overrides = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.streams."))
                .forEach(k -> overrides.put(k.substring("bench.streams.".length()), System.getProperty(k)));
        return overrides;
    }

    private static String settings(Map<String, Object> overrides) {
        var props = StreamsHarness.appStreamsProperties();
        props.putAll(overrides);
        return "processing.guarantee=" + props.get("processing.guarantee") + ", commit.interval.ms="
                + props.get("commit.interval.ms") + ", statestore.cache.max.bytes=" + props.get("statestore.cache.max.bytes");
    }
}
