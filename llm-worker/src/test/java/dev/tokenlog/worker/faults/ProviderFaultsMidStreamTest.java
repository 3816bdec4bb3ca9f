package dev.tokenlog.worker.faults;

import static dev.tokenlog.worker.faults.FaultChecks.audit;
import static dev.tokenlog.worker.faults.FaultChecks.count;
import static dev.tokenlog.worker.faults.FaultChecks.request;
import static dev.tokenlog.worker.faults.FaultChecks.text;
import static dev.tokenlog.worker.faults.FaultProfile.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import dev.tokenlog.worker.provider.contract.FixtureServer.Ending;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Provider faults once the stream is open (OpenAI Chat Completions wire format): after the first
 * output chunk there is no silent retry, so a broken stream ends {@code Failed} with its partial
 * output kept (ARCHITECTURE.md, guarantee 4); odd but valid streams (a huge delta, bytes that are not
 * UTF-8, a repeated {@code [DONE]}, no usage) still complete with the answer intact.
 */
@QuarkusTest
@TestProfile(FaultProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProviderFaultsMidStreamTest extends FaultTest {
    private static final String ROUTE = OPENAI + "/gpt-test";
    private static final String TEXT = Wire.fixture("openai-chat", "text.sse");

    @Test
    void stallAfterOutputEndsFailedIdleTimeoutWithThePartialText() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Stall mid-stream",
                "two text chunks, then the connection stays open and silent; timeout.idle-ms=500",
                "Failed IDLE_TIMEOUT, partial, the text so far kept, one call");
        server.then(Wire.sse(Wire.first(3, TEXT)).ending(Ending.STALL));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of("timeout.idle-ms", "500"), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("IDLE_TIMEOUT");
            assertThat(f.getPartial()).isTrue();
        });
        assertThat(text(out)).isEqualTo("Hello, world");
        assertThat(server.received()).hasSize(1);
        s.passed();
    }

    @Test
    void connectionResetAfterOutputEndsFailedTruncatedWithThePartialText() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Connection reset mid-stream",
                "two text chunks, then the connection breaks without ending the chunked body",
                "no silent retry: Failed TRUNCATED, partial, the text so far kept, one call");
        server.then(Wire.sse(Wire.first(3, TEXT)).ending(Ending.RESET));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("TRUNCATED");
            assertThat(f.getPartial()).isTrue();
            assertThat(f.getMessage()).startsWith("connection to " + OPENAI + " broke");
        });
        assertThat(text(out)).isEqualTo("Hello, world");
        assertThat(server.received()).hasSize(1);
        s.passed();
    }

    @Test
    void errorEventAfterOutputEndsFailedWithTheProvidersMessage() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Error event after partial output",
                "recorded stream: a text chunk, then data: {\"error\":{type server_error}} on the 200 stream",
                "no silent retry: Failed PROVIDER_ERROR, retryable, partial, the provider's message, one call");
        server.then(Wire.sse(Wire.fixture("openai-chat", "error_after_output.sse")));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("PROVIDER_ERROR");
            assertThat(f.getRetryable()).isTrue();
            assertThat(f.getPartial()).isTrue();
            assertThat(f.getMessage()).contains("The server had an error while processing your request");
        });
        assertThat(text(out)).isEqualTo("Partial");
        assertThat(server.received()).hasSize(1);
        s.passed();
    }

    @Test
    void hugeSingleDeltaIsDeliveredIntact() {
        Scenario s = Scenario.start(Fault.PROVIDER, "A single 2 MB delta",
                "one SSE event whose delta is 2 MiB of text with 2-, 3- and 4-byte characters",
                "Completed, the text equal to what was sent (the worker may split it into several chunks)");
        String huge = "tokenlog é€😀 ".repeat(2 * 1024 * 1024 / 16);
        server.then(Wire.sse(Wire.openAiText(huge), Wire.openAiStop(), Wire.DONE));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(text(out)).isEqualTo(huge);
        s.note(huge.getBytes(StandardCharsets.UTF_8).length + " bytes of text arrived in "
                + count(out, TextDelta.class) + " chunks");
        s.passed();
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Invalid UTF-8 bytes in the stream",
                "the bytes 0xFF 0xFE (never valid UTF-8) inside a delta's JSON string",
                "Completed, each bad byte a U+FFFD, the rest of the text intact");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(Wire.first(1, TEXT).getBytes(StandardCharsets.UTF_8));
        body.writeBytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello, w".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
        body.writeBytes(("rld!\"},\"finish_reason\":null}]}\n\n" + Wire.openAiStop() + Wire.DONE).getBytes(StandardCharsets.UTF_8));
        server.then(Wire.sse(body.toByteArray()));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(text(out)).isEqualTo("Hello, w\uFFFD\uFFFDrld!");
        s.passed();
    }

    @Test
    void duplicateDoneEndsWithExactlyOneTerminal() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Duplicate [DONE]",
                "the recorded stream followed by a second data: [DONE]",
                "exactly one Completed, nothing after it: Started, 3 text chunks, Usage, Completed");
        server.then(Wire.sse(TEXT, Wire.DONE));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Completed.class,
                c -> assertThat(c.getFinishReason()).isEqualTo(FinishReason.STOP));
        assertThat(out).hasSize(6);
        assertThat(text(out)).isEqualTo("Hello, world!");
        s.passed();
    }

    @Test
    void streamWithoutUsageCompletesWithoutAUsageChunk() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Usage never sent",
                "the recorded stream without its usage chunk (as when include_usage is ignored)",
                "Completed STOP, the text intact, no Usage chunk");
        server.then(Wire.sse(Wire.first(5, TEXT), Wire.DONE));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ROUTE)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Completed.class,
                c -> assertThat(c.getFinishReason()).isEqualTo(FinishReason.STOP));
        assertThat(text(out)).isEqualTo("Hello, world!");
        assertThat(count(out, Usage.class)).isZero();
        s.passed();
    }

    /** Runs last: none of the faults above took the worker down. */
    @Test
    @Order(Integer.MAX_VALUE)
    void workerStaysReady() throws Exception {
        FaultChecks.assertReady(readiness);
    }
}
