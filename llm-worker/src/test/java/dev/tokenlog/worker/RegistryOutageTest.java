package dev.tokenlog.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.testsupport.TcpProxy;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A request the worker cannot decode only because the schema registry is down is a good request: it
 * must wait for the registry, not go to the dead-letter topic. This worker reaches the real registry
 * through a proxy that resets every connection until the test lets it through.
 */
@QuarkusTest
@TestProfile(RegistryOutageTest.RegistryBehindProxy.class)
class RegistryOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    static TcpProxy proxy;

    public static final class RegistryBehindProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenlog.worker.group-id", "registry-outage-" + UUID.randomUUID());
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ProxiedRegistry.class));
        }
    }

    /** The shared broker and registry, the registry behind a proxy that starts refusing. */
    public static final class ProxiedRegistry extends TokenlogTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            URI registry = URI.create(TestRegistry.shared().ccompatUrl());
            proxy = TcpProxy.to(registry.getHost(), registry.getPort());
            proxy.refuse();
            config.put("tokenlog.registry.url", "http://" + registry.getHost() + ":" + proxy.port() + registry.getPath());
            return config;
        }

        @Override
        public void stop() {
            proxy.close();
            super.stop();
        }
    }

    @Test
    void requestsWaitForTheRegistryInsteadOfBeingDeadLettered() {
        Scenario scenario = Scenario.start(Fault.PROCESS, "schema registry down mid-run (worker)",
                "3 requests sent while every connection to the registry is reset, then the registry comes back",
                "nothing dead-lettered during the outage; afterwards each request completes once with its full text, seqs contiguous");
        List<String> ids = new ArrayList<>();
        try (RequestSender sender = new RequestSender(); ChunkLog chunks = new ChunkLog()) {
            for (int i = 0; i < 3; i++) {
                ids.add(sender.send(WorkerStreamsRequestsTest.request("mock", "echo", "waited " + i,
                        Map.of("mock.tps", "0", "mock.ttft-ms", "0"))));
            }
            int before = proxy.refused();
            await().atMost(WAIT).until(() -> proxy.refused() >= before + 3);
            assertThat(deadLetteredKeys()).as("nothing dead-lettered while the registry is down").doesNotContainAnyElementsOf(ids);

            proxy.forward();
            for (int i = 0; i < ids.size(); i++) {
                List<ChunkRecord> out = chunks.untilTerminal(ids.get(i), WAIT);
                scenario.answered(1).audit(LongStream.rangeClosed(0, out.get(out.size() - 1).getSeq()).boxed().toList(),
                        out.stream().map(ChunkRecord::getSeq).toList());
                assertThat(out.get(out.size() - 1).getEvent()).isInstanceOf(Completed.class);
                assertThat(out.stream().filter(c -> c.getEvent() instanceof TextDelta)
                        .map(c -> ((TextDelta) c.getEvent()).getText()).collect(Collectors.joining()))
                        .isEqualTo("waited " + i);
            }
            assertThat(deadLetteredKeys()).doesNotContainAnyElementsOf(ids);
            assertThat(scenario.duplicateCount() + scenario.gapCount()).isZero();
        }
        scenario.sent(ids.size()).passed();
    }

    /** Keys of every record on the dead-letter topic so far. */
    private static List<String> deadLetteredKeys() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        List<String> keys = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("llm.requests.dlq").stream()
                    .map(i -> new TopicPartition("llm.requests.dlq", i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    keys.add(r.key());
                }
            }
        }
        return keys;
    }
}
