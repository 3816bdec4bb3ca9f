package dev.tokenlog.worker.faults;

import static dev.tokenlog.worker.faults.FaultChecks.audit;
import static dev.tokenlog.worker.faults.FaultChecks.request;
import static dev.tokenlog.worker.faults.FaultChecks.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import dev.tokenlog.worker.provider.contract.FixtureServer.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Malformed provider output and streams that end without their terminal marker, in each wire format
 * (OpenAI SSE, Anthropic named events, Gemini CRLF SSE without a marker, Ollama NDJSON). Malformed
 * output ends the attempt {@code Failed{PROVIDER_PROTOCOL}} and is never retried (ARCHITECTURE.md,
 * guarantee 8); a clean close before the marker is a truncation: {@code Failed{TRUNCATED}} with the
 * partial output kept.
 */
@QuarkusTest
@TestProfile(FaultProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProviderFaultsWireFormatTest extends FaultTest {
    private static final String OPENAI = FaultProfile.OPENAI + "/gpt-test";
    private static final String ANTHROPIC = FaultProfile.ANTHROPIC + "/claude-test";
    private static final String GEMINI = FaultProfile.GEMINI + "/gemini-test";
    private static final String OLLAMA = FaultProfile.OLLAMA + "/qwen-test";

    @Test
    void malformedJsonChunkAfterOutputEndsFailedProtocol() {
        Scenario s = Scenario.start(Fault.PROVIDER, "OpenAI malformed JSON chunk",
                "after two text chunks, a data: line whose JSON breaks off, then more valid chunks",
                "Failed PROVIDER_PROTOCOL, not retryable, partial, the text before it kept, one call");
        String text = Wire.fixture("openai-chat", "text.sse");
        server.then(Wire.sse(Wire.first(2, text), "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\", wor\n\n", text));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OPENAI)));

        assertFailed(s, out, "PROVIDER_PROTOCOL", true, f -> {
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getMessage()).contains("not the expected JSON");
        });
        assertThat(text(out)).isEqualTo("Hello");
        s.passed();
    }

    @Test
    void malformedJsonEventFromAnthropicEndsFailedProtocol() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Anthropic malformed JSON event",
                "after message_start and a text_delta, a content_block_delta whose JSON breaks off",
                "Failed PROVIDER_PROTOCOL, not retryable, partial, the text before it kept, one call");
        server.then(Wire.sse(Wire.first(4, Wire.fixture("anthropic", "text.sse")),
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_d\n\n"));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), ANTHROPIC)));

        assertFailed(s, out, "PROVIDER_PROTOCOL", true, f -> {
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getMessage()).contains("not the expected JSON");
        });
        assertThat(text(out)).isEqualTo("Hello");
        s.passed();
    }

    @Test
    void malformedNdjsonLineBeforeOutputEndsFailedWithoutRetryOrFallback() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Ollama malformed NDJSON line",
                "the first NDJSON line breaks off mid-object; a second route target is configured",
                "Failed PROVIDER_PROTOCOL, not retryable, not partial: no retry, no fallback (one call)");
        server.then(Wire.ndjson("{\"model\":\"qwen3:0.6b\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\n"
                + Wire.fixture("ollama", "text.ndjson")));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OLLAMA, FaultProfile.BACKUP + "/gpt-test")));

        assertFailed(s, out, "PROVIDER_PROTOCOL", false, f -> {
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getMessage()).contains("not the expected JSON");
        });
        assertThat(out).hasSize(2);
        s.passed();
    }

    @Test
    void openAiStreamClosedWithoutFinishOrDoneEndsTruncated() {
        Scenario s = Scenario.start(Fault.PROVIDER, "OpenAI stream ends without finish_reason or [DONE]",
                "three text chunks, then a clean close: no finish_reason chunk, no [DONE]",
                "Failed TRUNCATED, partial, the text kept, one call");
        server.then(Wire.sse(Wire.first(4, Wire.fixture("openai-chat", "text.sse"))));

        assertTruncated(s, kafka.outcome(kafka.send(request(Map.of(), OPENAI))), "Hello, world!");
    }

    @Test
    void anthropicStreamClosedWithoutMessageStopEndsTruncated() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Anthropic stream ends without message_stop",
                "message_start and three text_delta events, then a clean close: no message_delta, no message_stop",
                "Failed TRUNCATED, partial, the text kept, one call");
        server.then(Wire.sse(Wire.first(6, Wire.fixture("anthropic", "text.sse"))));

        assertTruncated(s, kafka.outcome(kafka.send(request(Map.of(), ANTHROPIC))), "Hello, world!");
    }

    @Test
    void geminiStreamClosedWithoutFinishReasonEndsTruncated() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Gemini stream ends without finishReason",
                "recorded stream: one candidate chunk without finishReason, then a clean close",
                "Failed TRUNCATED, partial, the text kept, one call");
        server.then(Wire.sse(Wire.fixture("gemini", "truncated.sse")));

        assertTruncated(s, kafka.outcome(kafka.send(request(Map.of(), GEMINI))), "Cut");
    }

    @Test
    void ollamaStreamClosedWithoutDoneLineEndsTruncated() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Ollama stream ends without done:true",
                "recorded stream: one NDJSON line with done:false, then a clean close",
                "Failed TRUNCATED, partial, the text kept, one call");
        server.then(Reply.stream(Wire.NDJSON, Wire.fixture("ollama", "truncated.ndjson")));

        assertTruncated(s, kafka.outcome(kafka.send(request(Map.of(), OLLAMA))), "Cut");
    }

    /** Runs last: none of the faults above took the worker down. */
    @Test
    @Order(Integer.MAX_VALUE)
    void workerStaysReady() throws Exception {
        FaultChecks.assertReady(readiness);
    }

    private void assertTruncated(Scenario s, List<ChunkRecord> out, String text) {
        assertFailed(s, out, "TRUNCATED", true, f -> assertThat(f.getRetryable()).isTrue());
        assertThat(text(out)).isEqualTo(text);
        s.passed();
    }

    /** The audited terminal is Failed with {@code code} and {@code partial}, after exactly one provider call. */
    private void assertFailed(Scenario s, List<ChunkRecord> out, String code, boolean partial, Consumer<Failed> more) {
        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo(code);
            assertThat(f.getPartial()).isEqualTo(partial);
            more.accept(f);
        });
        assertThat(server.received()).hasSize(1);
    }
}
