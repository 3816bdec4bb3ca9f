package dev.tokenlog.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import dev.tokenlog.worker.consume.DeadLetters;
import dev.tokenlog.worker.stream.WorkerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The worker against a real KRaft broker and a real Apicurio registry, with the mock provider. */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class WorkerStreamsRequestsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RequestSender sender;
    private static ChunkLog chunks;

    @TestHTTPResource(value = "health/ready", management = true) // under the management root, /q
    URI readiness;
    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void clients() {
        sender = new RequestSender();
        chunks = new ChunkLog();
    }

    @AfterAll
    static void close() {
        sender.close();
        chunks.close();
    }

    @Test
    void echoStreamsTheUserMessageAsOrderedChunksEndingInOneCompleted() {
        String id = send(request("mock", "echo", "the quick brown fox", Map.of("mock.tps", "0", "mock.ttft-ms", "0")));

        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);

        assertThat(out.get(0).getEvent()).isInstanceOf(Started.class);
        assertThat(out).extracting(ChunkRecord::getSeq).containsExactlyElementsOf(
                LongStream.range(0, out.size()).boxed().toList());
        assertThat(out).extracting(ChunkRecord::getAttemptId).containsOnly(out.get(0).getAttemptId());
        assertThat(text(out)).isEqualTo("the quick brown fox");
        assertThat(out).anySatisfy(c -> assertThat(c.getEvent()).isInstanceOfSatisfying(Usage.class,
                u -> assertThat(u.getOutput()).isEqualTo(4)));
        assertThat(out.get(out.size() - 1).getEvent()).isInstanceOfSatisfying(Completed.class,
                c -> assertThat(c.getFinishReason()).isEqualTo(FinishReason.STOP));
    }

    @Test
    void theAcknowledgementTimeOfOneChunkInSixteenIsMeasured() {
        Timer ack = registry.get("tokenlog.worker.chunk.ack").timer();
        long before = ack.count();
        // 16 words of lorem: Started, 16 deltas, usage, the terminal; seq 0 and 16 are sampled
        String id = send(request("mock", "lorem", "hop budget", Map.of("mock.tps", "0", "mock.ttft-ms", "0")));
        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);
        long sampled = out.stream().filter(c -> c.getSeq() % WorkerMetrics.ACK_SAMPLE == 0).count();
        await().atMost(WAIT).until(() -> ack.count() - before >= sampled);
        assertThat(ack.count() - before).isEqualTo(sampled);
        assertThat(ack.max(TimeUnit.SECONDS)).as("the slowest acknowledgement, s").isBetween(0.0, WAIT.toSeconds() + 0.0);
    }

    @Test
    void injectedFailureEndsTheAttemptFailedWithPartialOutputKept() {
        String id = send(request("mock", "lorem", "hi", Map.of("mock.tps", "0", "mock.ttft-ms", "0", "mock.fail-after", "3")));

        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);

        assertThat(out.stream().filter(c -> c.getEvent() instanceof TextDelta).count()).isEqualTo(3);
        assertThat(out.get(out.size() - 1).getEvent()).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("PROVIDER_ERROR");
            assertThat(f.getPartial()).isTrue();
        });
    }

    @Test
    void fallsBackToTheNextTargetWhenTheFirstFailsBeforeOutput() {
        LlmRequest request = request("mock", "unavailable", "second target answers", Map.of("mock.tps", "0", "mock.ttft-ms", "0"));
        request.setRoute(List.of(new RouteTarget("mock", "unavailable"), new RouteTarget("mock", "echo")));
        String id = send(request);

        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);

        assertThat(out.get(0).getEvent()).isInstanceOfSatisfying(Started.class, s -> {
            assertThat(s.getModel()).isEqualTo("echo");
            assertThat(s.getRouteIndex()).isEqualTo(1);
        });
        assertThat(text(out)).isEqualTo("second target answers");
        assertThat(out.get(out.size() - 1).getEvent()).isInstanceOf(Completed.class);
    }

    @Test
    void lastTargetFailingBeforeOutputEndsFailedWithItsCode() {
        String id = send(request("mock", "unavailable", "x", Map.of()));

        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);

        assertThat(out).hasSize(2);
        assertThat(out.get(1).getEvent()).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("PROVIDER_UNAVAILABLE");
            assertThat(f.getRetryable()).isTrue();
            assertThat(f.getPartial()).isFalse();
        });
    }

    @Test
    void cancelCommandStopsTheStreamWithinASecond() {
        LlmRequest request = request("mock", "lorem", "hi", Map.of("mock.tps", "20", "mock.ttft-ms", "0"));
        request.getParams().setMaxTokens(10_000);
        String id = send(request);
        chunks.untilFirst(id, TextDelta.class, WAIT);

        Instant cancelledAt = Instant.now();
        sendValue("llm.control", id, new ControlCommand(id, ControlType.CANCEL, "user pressed stop", cancelledAt, null));
        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);

        ChunkRecord terminal = out.get(out.size() - 1);
        assertThat(terminal.getEvent()).isInstanceOfSatisfying(Cancelled.class,
                c -> assertThat(c.getReason()).isEqualTo("user pressed stop"));
        assertThat(Duration.between(cancelledAt, terminal.getProducedAt())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void undecodableRequestGoesToTheDeadLetterTopicAndTheWorkerKeepsGoing() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "worker: non-Avro bytes on llm.requests",
                "plain text (no magic byte) as a request record",
                "dead-lettered with the reason and the original bytes; a good request right after completes");
        sender.sendBytes("llm.requests", "poison-1", "not avro".getBytes(StandardCharsets.UTF_8));

        ConsumerRecord<String, byte[]> letter = firstRecord("llm.requests.dlq", "poison-1");
        assertThat(new String(letter.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .contains("cannot decode LlmRequest");
        assertThat(letter.value()).isEqualTo("not avro".getBytes(StandardCharsets.UTF_8));
        s.sent(1).answered(1);

        assertGoodRequestCompletesAndWorkerReady(s);
        s.passed();
    }

    /** For input-fault scenarios: a good request sent now completes, and the worker is ready. */
    private void assertGoodRequestCompletesAndWorkerReady(Scenario s) throws Exception {
        String id = send(request("mock", "echo", "still alive", Map.of("mock.tps", "0", "mock.ttft-ms", "0")));
        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);
        assertThat(text(out)).isEqualTo("still alive");
        assertThat(out.get(out.size() - 1).getEvent()).isInstanceOf(Completed.class);
        auditSeqs(s.sent(1), out);
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).as("readiness").isEqualTo(200);
        }
    }

    /** Counts one answer and audits its seqs (0 up to the terminal's, one attempt): no duplicate, no gap. */
    private static void auditSeqs(Scenario s, List<ChunkRecord> out) {
        assertThat(out).extracting(ChunkRecord::getAttemptId).containsOnly(out.get(0).getAttemptId());
        s.answered(1).audit(LongStream.rangeClosed(0, out.get(out.size() - 1).getSeq()).boxed().toList(),
                out.stream().map(ChunkRecord::getSeq).toList());
        assertThat(s.duplicateCount()).isZero();
        assertThat(s.gapCount()).isZero();
    }

    private static String text(List<ChunkRecord> out) {
        return out.stream().filter(c -> c.getEvent() instanceof TextDelta)
                .map(c -> ((TextDelta) c.getEvent()).getText()).collect(Collectors.joining());
    }

    static LlmRequest request(String provider, String model, String prompt, Map<String, String> metadata) {
        return LlmRequest.newBuilder()
                .setRequestId(RequestIds.newId())
                .setCreatedAt(Instant.now())
                .setRoute(List.of(new RouteTarget(provider, model)))
                .setMessages(List.of(new Message("user", prompt, null, null, List.of(), List.of())))
                .setParams(GenerationParams.newBuilder().setMaxTokens(8).build())
                .setMetadata(metadata)
                .build();
    }

    private static String send(LlmRequest request) {
        return sender.send(request);
    }

    private static <T extends SpecificRecord> void sendValue(String topic, String key, T value) {
        sender.sendValue(topic, key, value);
    }

    private static ConsumerRecord<String, byte[]> firstRecord(String topic, String key) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(r.key())) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no record with key " + key + " on " + topic + " within " + WAIT);
    }
}
