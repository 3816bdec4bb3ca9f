package dev.tokenlog.worker.faults;

import static dev.tokenlog.worker.faults.FaultChecks.audit;
import static dev.tokenlog.worker.faults.FaultChecks.request;
import static dev.tokenlog.worker.faults.FaultChecks.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import dev.tokenlog.worker.consume.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Poison records on the worker's input topics (ARCHITECTURE.md, guarantee 8: bad input never loses
 * data and never stops a consumer). A request that cannot be decoded goes to {@code llm.requests.dlq}
 * with the reason; one that decodes but cannot run ends in a clear {@code Failed}; an undecodable
 * control record is skipped. After each, a good record right behind it still works and the worker
 * stays ready. A request over the request limits (an unknown provider among them) is dead-lettered with the
 * limit it broke. Non-Avro requests are covered by {@code WorkerStreamsRequestsTest}.
 */
@QuarkusTest
@TestProfile(FaultProfile.class)
class WorkerInputFaultsTest extends FaultTest {
    /** The Confluent wire format's magic byte, then a schema id no registry has handed out. */
    private static final byte[] UNKNOWN_SCHEMA_ID = {0, 0x7F, (byte) 0xFF, (byte) 0xFF, 0x00, 0x02, 0x41, 0x42};
    private static final Map<String, String> FAST_MOCK = Map.of("mock.tps", "0", "mock.ttft-ms", "0");

    @Inject
    MeterRegistry meters;

    @Test
    void requestWithAnUnknownSchemaIdIsDeadLettered() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "worker: llm.requests record with an unknown schema id",
                "magic byte 0 and schema id 2147483392, which the registry does not know",
                "dead-lettered with the reason and the original bytes; a good request right after completes");
        String key = RequestIds.newId();

        double lettersBefore = deadLetterCount();
        FaultKafka.Sent poison = kafka.sendBytes(FaultKafka.REQUESTS, key, UNKNOWN_SCHEMA_ID);

        assertDeadLettered(s, poison, UNKNOWN_SCHEMA_ID, "Schema id 2147483392 is not known", lettersBefore);
        assertGoodRequestCompletes(s);
        s.passed();
    }

    @Test
    void requestOfTheWrongRecordTypeIsDeadLettered() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "worker: llm.requests record of the wrong Avro type",
                "a valid Avro ChunkRecord (schema registered for llm.chunks) written to llm.requests",
                "dead-lettered with the reason and the original bytes; a good request right after completes");
        String key = RequestIds.newId();
        byte[] chunk = kafka.avro(FaultKafka.CHUNKS, new ChunkRecord(key, "attempt", 0L, Instant.now(),
                new Started("mock", "echo", 0)));

        double lettersBefore = deadLetterCount();
        FaultKafka.Sent poison = kafka.sendBytes(FaultKafka.REQUESTS, key, chunk);

        assertDeadLettered(s, poison, chunk, "ChunkRecord", lettersBefore);
        assertGoodRequestCompletes(s);
        s.passed();
    }

    @Test
    void requestsOverTheLimitsProducedStraightToKafkaAreDeadLetteredNamingTheLimit() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "worker: requests over the request limits written straight to llm.requests",
                "valid Avro requests from a producer other than the gateway: max_tokens 100,000,000 for the mock,"
                        + " 50,000 fallbacks, timeout.first-token-ms of a day, provider nosuch, a model name with a newline",
                "each dead-lettered with the limit it broke (its tokenlog.limits.* setting), no chunk and no provider"
                        + " call; a good request right after completes and the worker stays ready");
        LlmRequest tokens = request(FAST_MOCK, "mock/lorem");
        tokens.getParams().setMaxTokens(100_000_000);
        LlmRequest fallbacks = request(FAST_MOCK, java.util.stream.IntStream.range(0, 50_000)
                .mapToObj(i -> "mock/echo").toArray(String[]::new));
        LlmRequest timeout = request(Map.of("timeout.first-token-ms", "86400000"), "mock/echo");
        LlmRequest provider = request(FAST_MOCK, "nosuch/x");
        LlmRequest model = request(FAST_MOCK, "mock/echo\nINFO forged");
        Map<LlmRequest, String> reasons = new java.util.LinkedHashMap<>();
        reasons.put(tokens, "max_tokens 100000000 is out of range: mock/lorem allows 1 to 20000"
                + " (tokenlog.limits.providers.mock.max-tokens)");
        reasons.put(fallbacks, "fallbacks has 49999 targets; at most 5 are allowed (tokenlog.limits.max-fallbacks)");
        reasons.put(timeout, "metadata timeout.first-token-ms '86400000' must be a whole number of milliseconds from 1"
                + " to 600000 (tokenlog.limits.max-timeout)");
        reasons.put(provider, "model provider 'nosuch' is not configured; use one of [");
        reasons.put(model, "model model name 'echo?INFO forged' may only hold letters, digits");

        double lettersBefore = deadLetterCount();
        for (Map.Entry<LlmRequest, String> e : reasons.entrySet()) {
            FaultKafka.Sent sent = kafka.send(e.getKey());
            List<ConsumerRecord<String, byte[]>> letters = kafka.deadLetters(sent);
            assertThat(letters).singleElement().satisfies(letter -> assertThat(header(letter, DeadLetters.REASON_HEADER))
                    .startsWith("over the request limits: ").contains(e.getValue()));
            assertThat(kafka.outcome(sent)).as("no chunk for a request over the limits").isEmpty();
            s.sent(1).answered(letters.size());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetterCount() >= lettersBefore + reasons.size());
        s.note("a request over the limits ends as a dead letter with the reason, like any request the worker cannot run");
        assertGoodRequestCompletes(s);
        s.passed();
    }

    @Test
    void requestWhoseDeadlineHasPassedEndsFailedWithoutCallingTheProvider() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "worker: request whose deadline already expired",
                "a valid request whose deadline was a minute before it was sent",
                "Started then Failed DEADLINE_EXCEEDED, not retryable, no output; a good request right after completes");
        LlmRequest late = request(FAST_MOCK, "mock/echo");
        late.setDeadline(Instant.now().minusSeconds(60));

        List<ChunkRecord> out = kafka.outcome(kafka.send(late));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getPartial()).isFalse();
        });
        assertThat(out).hasSize(2);
        assertGoodRequestCompletes(s);
        s.passed();
    }

    @Test
    void nonAvroControlRecordIsSkippedAndTheNextCancelIsObeyed() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "worker: non-Avro bytes on llm.control",
                "plain text on llm.control, keyed like the running stream's cancel that follows it",
                "the listener skips it: the CANCEL right behind it still stops the stream (Cancelled)");
        assertControlPoisonSkipped(s, "cancel me".getBytes(StandardCharsets.UTF_8));
        s.passed();
    }

    @Test
    void controlRecordWithAnUnknownSchemaIdIsSkippedAndTheNextCancelIsObeyed() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "worker: llm.control record with an unknown schema id",
                "magic byte 0 and a schema id the registry does not know, keyed like the cancel that follows",
                "the listener skips it: the CANCEL right behind it still stops the stream (Cancelled)");
        assertControlPoisonSkipped(s, UNKNOWN_SCHEMA_ID);
        s.passed();
    }

    /** Runs a long stream, sends {@code poison} then a CANCEL with the stream's key: the cancel must work. */
    private void assertControlPoisonSkipped(Scenario s, byte[] poison) throws Exception {
        LlmRequest longStream = request(Map.of("mock.tps", "20", "mock.ttft-ms", "0"), "mock/lorem");
        longStream.getParams().setMaxTokens(10_000);
        FaultKafka.Sent stream = kafka.send(longStream);
        kafka.awaitFirst(stream.key(), TextDelta.class);

        kafka.sendBytes(FaultKafka.CONTROL, stream.key(), poison);
        Instant cancelledAt = Instant.now();
        kafka.sendBytes(FaultKafka.CONTROL, stream.key(), kafka.avro(FaultKafka.CONTROL,
                new ControlCommand(stream.key(), ControlType.CANCEL, "stop after poison", cancelledAt, null)));
        List<ChunkRecord> out = kafka.outcome(stream);

        // One request: the poison and the cancel are control records, not requests.
        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Cancelled.class,
                c -> assertThat(c.getReason()).isEqualTo("stop after poison"));
        // Stopped by this cancel, not by the stream running out: the 1 s bound itself is WorkerStreamsRequestsTest's.
        Duration stoppedAfter = Duration.between(cancelledAt, out.get(out.size() - 1).getProducedAt());
        assertThat(stoppedAfter).isLessThan(Duration.ofSeconds(5));
        s.note("stopped " + stoppedAfter.toMillis() + " ms after the cancel");
        assertGoodRequestCompletes(s);
    }

    /**
     * The poison went to the dead-letter topic once, unchanged, saying why and where it came from, and
     * the worker counted it ({@code tokenlog_worker_dead_letters_total}, from {@code lettersBefore}).
     */
    private void assertDeadLettered(Scenario s, FaultKafka.Sent poison, byte[] bytes, String reasonPart,
            double lettersBefore) {
        List<ConsumerRecord<String, byte[]>> letters = kafka.deadLetters(poison);
        s.sent(1).answered(letters.size()).note("a poison request's outcome is its dead letter");
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.value()).isEqualTo(bytes);
            assertThat(header(letter, DeadLetters.REASON_HEADER)).startsWith("cannot decode LlmRequest").contains(reasonPart);
            assertThat(header(letter, DeadLetters.SOURCE_HEADER))
                    .isEqualTo(poison.partition().topic() + "-" + poison.partition().partition() + "@" + poison.offset());
        });
        assertThat(kafka.outcome(poison)).as("no chunk for a dead-lettered request").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetterCount() > lettersBefore);
        assertThat(deadLetterCount()).as("dead letters counted").isEqualTo(lettersBefore + 1);
    }

    private double deadLetterCount() {
        Counter counter = meters.find("tokenlog.worker.dead.letters").counter();
        return counter == null ? 0 : counter.count();
    }

    /** A good request sent now completes with its full text, and the worker is ready. */
    private void assertGoodRequestCompletes(Scenario s) throws Exception {
        List<ChunkRecord> out = kafka.outcome(kafka.send(request(FAST_MOCK, "mock/echo")));
        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(text(out)).isEqualTo("Say hello");
        FaultChecks.assertReady(readiness);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
