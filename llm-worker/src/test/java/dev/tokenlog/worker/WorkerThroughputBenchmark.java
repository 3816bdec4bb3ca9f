package dev.tokenlog.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.serde.AvroSerdes;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.worker.stream.RunningStreams;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test of timing: how many concurrent streams and chunks per second one worker
 * sustains with the mock provider. Excluded from the normal suite; run with
 * {@code ./mvnw -B -pl llm-worker -am verify -Pbench -Dtest=WorkerThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 * Settings: {@code -Dbench.streams=2000 -Dbench.tokens=100 -Dbench.tps=25}. The broker runs in the
 * same JVM and shares the two cores, so the figure is a lower bound for a worker on its own machine.
 */
@QuarkusTest
@TestProfile(WorkerThroughputBenchmark.Bench.class)
@Tag("benchmark")
class WorkerThroughputBenchmark {
    private static final int STREAMS = Integer.getInteger("bench.streams", 2000);
    private static final int TOKENS = Integer.getInteger("bench.tokens", 100);
    private static final String TPS = System.getProperty("bench.tps", "25");

    /** Room for every stream at once. */
    public static final class Bench implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenlog.worker.max-in-flight", String.valueOf(STREAMS * 2),
                    "tokenlog.worker.group-id", "bench-" + System.nanoTime(),
                    "quarkus.log.category.\"dev.tokenlog\".level", "WARN");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TokenlogTestResource.class));
        }
    }

    @Inject
    RunningStreams running;

    @Test
    void concurrentStreamsAndChunksPerSecond() throws Exception {
        List<String> ids = new ArrayList<>();
        AtomicInteger peak = new AtomicInteger();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(running.size(), Math::max);
                try {
                    Thread.sleep(50); // sampling interval of the in-flight gauge
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start;
        try (RequestSender sender = new RequestSender(); KafkaConsumer<String, byte[]> chunks = chunkReader()) {
            start = System.nanoTime();
            for (int i = 0; i < STREAMS; i++) {
                LlmRequest request = WorkerStreamsRequestsTest.request("mock", "lorem", "go",
                        Map.of("mock.tps", TPS, "mock.ttft-ms", "0"));
                request.getParams().setMaxTokens(TOKENS);
                sender.sendAsync(request);
                ids.add(request.getRequestId());
            }
            long sent = System.nanoTime();
            var deserializer = AvroSerdes.serde(ChunkRecord.class,
                    Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl())).deserializer();
            Set<String> completed = new HashSet<>();
            long records = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (completed.size() < STREAMS && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : chunks.poll(Duration.ofMillis(200))) {
                    records++;
                    if (deserializer.deserialize(r.topic(), r.value()).getEvent() instanceof Completed) {
                        completed.add(r.key());
                    }
                }
            }
            long end = System.nanoTime();
            sampler.interrupt();
            double seconds = (end - start) / 1e9;
            System.out.printf("%nBENCHMARK worker: %d streams x %d tokens at %s tokens/s each%n", STREAMS, TOKENS, TPS);
            System.out.printf("  sending %d requests took %.2f s%n", STREAMS, (sent - start) / 1e9);
            System.out.printf("  all %d streams completed after %.2f s (ideal %.2f s)%n", completed.size(), seconds,
                    TOKENS / Double.parseDouble(TPS));
            System.out.printf("  chunk records: %d, %.0f chunks/s end to end%n", records, records / seconds);
            System.out.printf("  peak concurrent streams in the worker: %d%n%n", peak.get());
            assertThat(completed).hasSize(STREAMS);
        }
    }

    private static KafkaConsumer<String, byte[]> chunkReader() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor("llm.chunks").stream()
                .map(i -> new TopicPartition("llm.chunks", i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}
