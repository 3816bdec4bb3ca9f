package dev.tokenlog.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.serde.AvroSerdes;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A worker that died before committing leaves its requests to be redelivered: one that already
 * reached its terminal is not executed again; one that died mid-stream runs again as a new attempt.
 * The records are written before this worker (a fresh consumer group) starts, as a crashed worker
 * would have left them.
 */
@QuarkusTest
@TestProfile(RedeliveryTest.FreshGroup.class)
class RedeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    static final String FINISHED = "01a20000-0000-7000-8000-00000000f001";
    static final String HALF_DONE = "01a20000-0000-7000-8000-00000000f002";
    static volatile RecordMetadata finishedRequestPosition;

    /** A new consumer group, so every request already in the topic is this worker's backlog. */
    public static final class FreshGroup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenlog.worker.group-id", "redelivery-" + UUID.randomUUID());
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SeededResource.class));
        }
    }

    /** The shared broker and registry, plus what a crashed worker left behind. */
    public static final class SeededResource extends TokenlogTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = super.start();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
            try (var producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                Instant created = Instant.now().minusSeconds(5);
                finishedRequestPosition = send(producer, "llm.requests", FINISHED,
                        WorkerStreamsRequestsTest.request("mock", "echo", "already answered", Map.of()), created);
                String oldAttempt = "dead-worker-attempt";
                send(producer, "llm.chunks", FINISHED, new ChunkRecord(FINISHED, oldAttempt, 0L, created, new Started("mock", "echo", 0)), null);
                send(producer, "llm.chunks", FINISHED, new ChunkRecord(FINISHED, oldAttempt, 1L, created, new TextDelta("already answered")), null);
                send(producer, "llm.chunks", FINISHED, new ChunkRecord(FINISHED, oldAttempt, 2L, created,
                        new Completed(FinishReason.STOP, "stop")), null);
                send(producer, "llm.requests", HALF_DONE,
                        WorkerStreamsRequestsTest.request("mock", "echo", "run me again", Map.of("mock.tps", "0", "mock.ttft-ms", "0")), created);
                send(producer, "llm.chunks", HALF_DONE, new ChunkRecord(HALF_DONE, oldAttempt, 0L, created, new Started("mock", "echo", 0)), null);
                send(producer, "llm.chunks", HALF_DONE, new ChunkRecord(HALF_DONE, oldAttempt, 1L, created, new TextDelta("run ")), null);
            }
            return config;
        }

        private static <T extends SpecificRecord> RecordMetadata send(KafkaProducer<String, byte[]> producer, String topic,
                                                                      String key, T value, Instant created) {
            if (value instanceof LlmRequest request) {
                request.setRequestId(key);
                request.setCreatedAt(created);
            }
            @SuppressWarnings("unchecked")
            var serializer = AvroSerdes.serde((Class<T>) value.getClass(),
                    Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl())).serializer();
            try {
                return producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, value))).get();
            } catch (Exception e) {
                throw new IllegalStateException("seeding " + topic + " failed", e);
            }
        }
    }

    @Test
    void redeliveredRequestsRunAgainOnlyWhenTheyHadNoTerminal() {
        try (ChunkLog chunks = new ChunkLog()) {
            List<ChunkRecord> halfDone = chunks.untilTerminal(HALF_DONE, WAIT);
            List<ChunkRecord> newAttempt = halfDone.stream()
                    .filter(c -> !c.getAttemptId().equals("dead-worker-attempt")).toList();
            assertThat(newAttempt.get(0).getEvent()).isInstanceOf(Started.class);
            assertThat(newAttempt.get(newAttempt.size() - 1).getEvent()).isInstanceOf(Completed.class);

            awaitCommittedPast(finishedRequestPosition);
            assertThat(chunks.untilTerminal(FINISHED, WAIT)).as("no new attempt for the finished request")
                    .extracting(ChunkRecord::getAttemptId).containsOnly("dead-worker-attempt");
            assertThat(chunks.all(FINISHED)).hasSize(3);
        }
    }

    /** The worker committed past the finished request: it has been taken and decided on. */
    private static void awaitCommittedPast(RecordMetadata position) {
        TopicPartition tp = new TopicPartition(position.topic(), position.partition());
        try (Admin admin = TestKafka.shared().admin()) {
            await().atMost(WAIT).until(() -> admin.listConsumerGroups().all().get().stream()
                    .filter(g -> g.groupId().startsWith("redelivery-"))
                    .anyMatch(g -> {
                        try {
                            var offsets = admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata().get();
                            return offsets.containsKey(tp) && offsets.get(tp).offset() > position.offset();
                        } catch (Exception e) {
                            return false;
                        }
                    }));
        }
    }
}
