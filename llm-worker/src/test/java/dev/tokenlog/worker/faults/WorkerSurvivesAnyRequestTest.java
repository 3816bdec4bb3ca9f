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
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import dev.tokenlog.worker.stream.StreamRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No single request can take the worker down (issue #12): the mock makes its tokens as it sends them,
 * so a huge {@code max_tokens} costs no memory; an Error thrown while a stream runs (injected by
 * {@link CrashingProviderType}) ends that attempt {@code Failed INTERNAL}, is logged and counted, frees
 * its slot (the in-flight gauge drops and the request offset is committed) and the next request runs.
 */
@QuarkusTest
@TestProfile(FaultProfile.class)
class WorkerSurvivesAnyRequestTest extends FaultTest {
    private static final Map<String, String> FAST_MOCK = Map.of("mock.tps", "0", "mock.ttft-ms", "0");
    private static LogCapture logs;

    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void captureLogs() {
        logs = LogCapture.install();
    }

    @AfterAll
    static void releaseLogs() {
        logs.close();
    }

    @Test
    void hugeMaxTokensToTheMockStreamAtOnceAndAreCancelledWhileTheWorkerServesOthers() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "worker: mock/lorem with max_tokens 100,000,000 and 2,147,483,647",
                "two requests for mock/lorem at 20 tokens/s, max_tokens 100000000 and Integer.MAX_VALUE (the mock "
                        + "used to build a list of that many tokens first: OutOfMemoryError)",
                "both stream their first token at once; a request sent meanwhile completes; a cancel ends each "
                        + "Cancelled; a request after completes and the worker stays ready");
        List<FaultKafka.Sent> huge = List.of(sendLorem(100_000_000), sendLorem(Integer.MAX_VALUE));
        for (FaultKafka.Sent sent : huge) {
            kafka.awaitFirst(sent.key(), TextDelta.class);
        }

        FaultKafka.Sent meanwhile = kafka.send(request(FAST_MOCK, "mock/echo"));
        kafka.awaitFirst(meanwhile.key(), Completed.class);

        for (FaultKafka.Sent sent : huge) {
            kafka.sendBytes(FaultKafka.CONTROL, sent.key(), kafka.avro(FaultKafka.CONTROL,
                    new ControlCommand(sent.key(), ControlType.CANCEL, "enough", Instant.now(), null)));
        }
        for (FaultKafka.Sent sent : huge) {
            List<ChunkRecord> out = kafka.outcome(sent);
            assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Cancelled.class,
                    c -> assertThat(c.getReason()).isEqualTo("enough"));
            assertThat(text(out)).startsWith("lorem ");
        }
        assertThat(audit(s.sent(1), kafka.outcome(meanwhile))).isInstanceOf(Completed.class);
        assertGoodRequestCompletes(s);
        s.passed();
    }

    @Test
    void anErrorBeforeOutputEndsTheAttemptFailedInternalAndFreesItsSlot() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "worker: an Error while a stream runs, before any output",
                "a provider adapter that throws OutOfMemoryError from its stream call (a test provider type)",
                "Started then Failed INTERNAL, not retryable, no exception text; logged and counted; the slot is free "
                        + "(offset committed, in-flight 0); a request after completes and the worker stays ready");
        double before = internalErrors("OutOfMemoryError");

        FaultKafka.Sent sent = kafka.send(request(FAST_MOCK, FaultProfile.CRASH + "/" + CrashingProviderType.ERROR_BEFORE_OUTPUT));
        List<ChunkRecord> out = kafka.outcome(sent); // returns once the worker committed past the request

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo(StreamRunner.INTERNAL);
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getPartial()).isFalse();
            assertThat(f.getMessage()).doesNotContain("OutOfMemoryError").doesNotContain("injected");
        });
        assertThat(out).hasSize(2);
        assertCountedLoggedAndFreed(sent, "OutOfMemoryError", before);
        assertGoodRequestCompletes(s);
        s.passed();
    }

    @Test
    void aStackOverflowAfterOutputEndsFailedInternalKeepingThePartialOutput() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "worker: an Error while a stream runs, after output",
                "a provider adapter that sends one text delta and then overflows its stack (a real StackOverflowError)",
                "the text, then Failed INTERNAL with partial=true; logged and counted; the slot is free; a request "
                        + "after completes and the worker stays ready");
        double before = internalErrors("StackOverflowError");

        FaultKafka.Sent sent = kafka.send(request(FAST_MOCK, FaultProfile.CRASH + "/" + CrashingProviderType.ERROR_AFTER_OUTPUT));
        List<ChunkRecord> out = kafka.outcome(sent);

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo(StreamRunner.INTERNAL);
            assertThat(f.getPartial()).isTrue();
        });
        assertThat(text(out)).isEqualTo(CrashingProviderType.PARTIAL);
        assertCountedLoggedAndFreed(sent, "StackOverflowError", before);
        assertGoodRequestCompletes(s);
        s.passed();
    }

    private FaultKafka.Sent sendLorem(int maxTokens) {
        // The request limits refuse such a max_tokens for the "mock" entry (WorkerInputFaultsTest); this entry
        // has no cap, so the request reaches the mock itself.
        LlmRequest huge = request(Map.of("mock.tps", "20", "mock.ttft-ms", "0"), FaultProfile.UNCAPPED_MOCK + "/lorem");
        huge.getParams().setMaxTokens(maxTokens);
        return kafka.send(huge);
    }

    private void assertCountedLoggedAndFreed(FaultKafka.Sent sent, String error, double before) {
        await().atMost(Duration.ofSeconds(10)).until(() -> internalErrors(error) > before);
        assertThat(internalErrors(error)).as("internal errors counted").isEqualTo(before + 1);
        assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains(sent.key()).contains(StreamRunner.INTERNAL));
        assertThat(logs.lines()).noneSatisfy(line -> assertThat(line).contains(FaultProfile.KEY));
        Gauge inFlight = meters.find("tokenlog.worker.streams.inflight").gauge();
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.value() == 0);
    }

    private double internalErrors(String error) {
        Counter counter = meters.find("tokenlog.worker.internal.errors").tag("error", error).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A good request sent now completes with its full text, and the worker is ready. */
    private void assertGoodRequestCompletes(Scenario s) throws Exception {
        List<ChunkRecord> out = kafka.outcome(kafka.send(request(FAST_MOCK, "mock/echo")));
        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(text(out)).isEqualTo("Say hello");
        FaultChecks.assertReady(readiness);
    }
}
