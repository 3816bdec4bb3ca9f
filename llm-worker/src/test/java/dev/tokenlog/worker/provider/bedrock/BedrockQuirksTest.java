package dev.tokenlog.worker.provider.bedrock;

import static dev.tokenlog.worker.provider.contract.WireCase.fails;
import static dev.tokenlog.worker.provider.contract.WireCase.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderEvent.Finished;
import dev.tokenlog.worker.provider.ProviderEvent.Reasoning;
import dev.tokenlog.worker.provider.ProviderEvent.Text;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallEnd;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallStart;
import dev.tokenlog.worker.provider.ProviderEvent.Usage;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import dev.tokenlog.worker.provider.contract.WireCase;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ConverseStream quirks (PROVIDERS.md "AWS Bedrock ConverseStream" and "Edge cases"), one named row
 * each, encoded as real event-stream frames and decoded by the SDK.
 */
class BedrockQuirksTest {
    private static final String START = "event messageStart {\"role\":\"assistant\"}\n";
    private static final String HI = "event contentBlockDelta {\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}\n";
    private static final String USAGE = "event metadata {\"metrics\":{\"latencyMs\":5},"
            + "\"usage\":{\"inputTokens\":12,\"outputTokens\":4,\"totalTokens\":16}}\n";

    private FixtureServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Stream<WireCase> cases() {
        return Stream.of(
                ok("usage arrives after messageStop: Usage then Finished, last",
                        START + HI + stop("end_turn") + USAGE,
                        new Text("Hi"), new Usage(12, 4, 0, 0), new Finished(FinishReason.STOP, "end_turn")),
                ok("messageStop without metadata finishes at the end of the stream",
                        START + HI + stop("end_turn"), new Text("Hi"), new Finished(FinishReason.STOP, "end_turn")),
                ok("prompt-cache reads and writes count as input; reads are the cached part",
                        START + HI + stop("end_turn") + "event metadata {\"usage\":{\"inputTokens\":10,\"outputTokens\":3,"
                                + "\"cacheReadInputTokens\":100,\"cacheWriteInputTokens\":5,\"totalTokens\":118}}\n",
                        new Text("Hi"), new Usage(115, 3, 100, 0), new Finished(FinishReason.STOP, "end_turn")),
                ok("stop_sequence is STOP", START + HI + stop("stop_sequence"), new Text("Hi"),
                        new Finished(FinishReason.STOP, "stop_sequence")),
                ok("guardrail_intervened is CONTENT_FILTER", START + stop("guardrail_intervened"),
                        new Finished(FinishReason.CONTENT_FILTER, "guardrail_intervened")),
                ok("content_filtered is CONTENT_FILTER", START + stop("content_filtered"),
                        new Finished(FinishReason.CONTENT_FILTER, "content_filtered")),
                ok("an unknown stop reason is OTHER with the raw value kept", START + HI + stop("brand_new_reason"),
                        new Text("Hi"), new Finished(FinishReason.OTHER, "brand_new_reason")),
                ok("unknown event types are ignored",
                        START + "event someFutureEvent {\"x\":1}\n" + HI + stop("end_turn"),
                        new Text("Hi"), new Finished(FinishReason.STOP, "end_turn")),
                ok("empty text and empty tool input deltas say nothing",
                        START + "event contentBlockDelta {\"contentBlockIndex\":0,\"delta\":{\"text\":\"\"}}\n"
                                + "event contentBlockStart {\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"name\":\"ping\",\"toolUseId\":\"t1\"}}}\n"
                                + "event contentBlockDelta {\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"\"}}}\n"
                                + "event contentBlockStop {\"contentBlockIndex\":1}\n" + stop("tool_use"),
                        new ToolCallStart(0, "t1", "ping"), new ToolCallEnd(0), new Finished(FinishReason.TOOL_CALLS, "tool_use")),
                ok("reasoning signature and redacted reasoning are not streamed",
                        START + "event contentBlockDelta {\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"Hmm\"}}}\n"
                                + "event contentBlockDelta {\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"signature\":\"c2ln\"}}}\n"
                                + "event contentBlockDelta {\"contentBlockIndex\":1,\"delta\":{\"reasoningContent\":{\"redactedContent\":\"cmVk\"}}}\n"
                                + stop("end_turn"),
                        new Reasoning("Hmm"), new Finished(FinishReason.STOP, "end_turn")),
                fails("metadata without messageStop is truncated", START + HI + USAGE, "TRUNCATED", true,
                        new Text("Hi"), new Usage(12, 4, 0, 0)),
                fails("throttlingException mid-stream is retryable", START + HI + exception("throttlingException"),
                        "RATE_LIMITED", true, new Text("Hi")),
                fails("serviceUnavailableException mid-stream is retryable", START + HI + exception("serviceUnavailableException"),
                        "PROVIDER_UNAVAILABLE", true, new Text("Hi")),
                fails("internalServerException mid-stream is retryable", START + HI + exception("internalServerException"),
                        "PROVIDER_UNAVAILABLE", true, new Text("Hi")),
                fails("modelStreamErrorException mid-stream is retryable", START + HI + exception("modelStreamErrorException"),
                        "PROVIDER_ERROR", true, new Text("Hi")),
                fails("validationException mid-stream is not retryable", START + HI + exception("validationException"),
                        "PROVIDER_BAD_REQUEST", false, new Text("Hi")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalises(WireCase wireCase) {
        wireCase.check(server, provider(), EventStreamFrames.CONTENT_TYPE, EventStreamFrames::encode);
    }

    @Test
    void everyEventBeforeAnExceptionFrameIsReportedBeforeTheError() {
        // More events than the bridge requests up front: back-pressure must not let the error overtake them.
        String many = "event contentBlockDelta {\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}\n".repeat(500);
        server.then(FixtureServer.Reply.stream(EventStreamFrames.CONTENT_TYPE,
                EventStreamFrames.encode(START + many + exception("throttlingException"))));
        List<ProviderEvent> seen = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), event -> {
            seen.add(event);
            Thread.yield(); // a sink slower than the network
        })).isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isEqualTo("RATE_LIMITED"));
        assertThat(seen).hasSize(500).allMatch(e -> e.equals(new Text("x")));
    }

    @Test
    void aFrameCutOffMidwayIsTruncation() {
        // The SDK's decoder drops an incomplete trailing frame and ends the stream normally.
        byte[] whole = EventStreamFrames.encode(START + HI + stop("end_turn"));
        byte[] cut = Arrays.copyOf(whole, whole.length - 7);
        server.then(FixtureServer.Reply.stream(EventStreamFrames.CONTENT_TYPE, cut));
        List<ProviderEvent> seen = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), seen::add))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isEqualTo("TRUNCATED"));
        assertThat(seen).containsExactly(new Text("Hi"));
    }

    @Test
    void aFrameWithABadChecksumIsAProtocolError() {
        byte[] frames = EventStreamFrames.encode(START + HI + stop("end_turn"));
        frames[frames.length - 1] ^= 0x5a; // breaks the last frame's CRC
        server.then(FixtureServer.Reply.stream(EventStreamFrames.CONTENT_TYPE, frames));
        List<ProviderEvent> seen = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), seen::add))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isEqualTo("PROVIDER_PROTOCOL"));
        assertThat(seen).noneMatch(e -> e instanceof Finished);
    }

    @Test
    void aPayloadInAnUnreadableEncodingIsAProtocolError() {
        // Three zero bytes first make Jackson read the payload as UTF-32, whose first character is
        // then out of range: a CharConversionException, which is an IOException but not a broken
        // connection (found by BedrockStreamMapperFuzzTest).
        server.then(FixtureServer.Reply.stream(EventStreamFrames.CONTENT_TYPE,
                EventStreamFrames.encode(START + HI + "event contentBlockDelta \u0000\u0000\u0000\"ob\"\u0006\u0000\u0000\u0000}\n")));
        List<ProviderEvent> seen = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), seen::add))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isEqualTo("PROVIDER_PROTOCOL"));
        assertThat(seen).containsExactly(new Text("Hi"));
    }

    private Provider provider() {
        return new BedrockProvider(BedrockContractTest.settings(server.baseUrl(), Optional.of("test-key-1234"), Map.of()));
    }

    private static String stop(String reason) {
        return "event messageStop {\"stopReason\":\"" + reason + "\"}\n";
    }

    private static String exception(String type) {
        return "exception " + type + " {\"message\":\"" + type + " from the test\"}\n";
    }
}
