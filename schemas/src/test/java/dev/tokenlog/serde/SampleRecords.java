package dev.tokenlog.serde;

import dev.tokenlog.avro.AnswerError;
import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinalToolCall;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.PartType;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.StreamIndexEntry;
import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.schemas.RequestIds;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.provider.Arguments;

/** One or more fully populated instances of every record type, and of every ChunkRecord event. */
final class SampleRecords {
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");
    static final String REQUEST_ID = "01890a5d-ac96-774b-bcce-b302099a8057";

    private SampleRecords() {}

    /** (name, record) pairs for parameterized tests. */
    static Stream<Arguments> all() {
        Stream<Arguments> others = Stream.of(
                Arguments.of("LlmRequest full", fullRequest()),
                Arguments.of("LlmRequest minimal", minimalRequest()),
                Arguments.of("FinalAnswer completed", completedAnswer()),
                Arguments.of("FinalAnswer failed, defaults", failedAnswer()),
                Arguments.of("ControlCommand", command()),
                Arguments.of("ThroughputWindow", window()),
                Arguments.of("StreamIndexEntry accepted", new StreamIndexEntry(REQUEST_ID, "ACCEPTED", null, null, null, T0)),
                Arguments.of("StreamIndexEntry running", new StreamIndexEntry(REQUEST_ID, "RUNNING", "tenant-a", 2, 41L, T0)));
        Stream<Arguments> chunks = chunkEvents().stream()
                .map(event -> Arguments.of("ChunkRecord " + event.getClass().getSimpleName(), chunk(event)));
        return Stream.concat(others, chunks);
    }

    /** One instance of each branch of the ChunkRecord.event union, in declaration order. */
    static List<SpecificRecord> chunkEvents() {
        return List.of(
                new Started("openai", "gpt-4o-mini", 1),
                new TextDelta("Hello, wörld 👋"),
                new ReasoningDelta("thinking..."),
                new ToolCallStarted(0, "call_1", "get_weather"),
                new ToolCallDelta(0, "{\"city\":"),
                new ToolCallFinished(0),
                new Usage(12L, 34L, 5L, 6L),
                new Completed(FinishReason.TOOL_CALLS, "tool_calls"),
                new Failed("PROVIDER_ERROR", "upstream 503", true, false),
                new Cancelled("user pressed stop"));
    }

    static ChunkRecord chunk(Object event) {
        return ChunkRecord.newBuilder().setRequestId(REQUEST_ID).setAttemptId("a-1").setSeq(7L)
                .setProducedAt(T0).setEvent(event).build();
    }

    static ControlCommand command() {
        return ControlCommand.newBuilder().setRequestId(REQUEST_ID).setType(ControlType.CANCEL)
                .setReason("user pressed stop").setIssuedAt(T0).setIssuedBy("tenant-a").build();
    }

    static LlmRequest fullRequest() {
        return LlmRequest.newBuilder()
                .setRequestId(RequestIds.newId())
                .setCreatedAt(T0)
                .setRoute(List.of(new RouteTarget("openai", "gpt-4o-mini"), new RouteTarget("ollama", "llama3")))
                .setMessages(List.of(
                        new Message("system", "Be brief.", null, null, List.of(), List.of()),
                        new Message("user", "Weather here?", "alice", null, List.of(
                                new ContentPart(PartType.TEXT, "Weather here?", null, null, null),
                                new ContentPart(PartType.IMAGE, null, null, "image/png",
                                        ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, -1})),
                                new ContentPart(PartType.IMAGE, null, "https://example.org/sky.jpg", null, null)),
                                List.of()),
                        new Message("assistant", "", null, null, List.of(),
                                List.of(new MessageToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                        new Message("tool", "{\"temp\":21}", null, "call_1", List.of(), List.of())))
                .setParams(GenerationParams.newBuilder().setMaxTokens(256).setTemperature(0.2).setTopP(0.9)
                        .setStop(List.of("\n\n"))
                        .setTools(List.of(new ToolDefinition("get_weather", "Current weather",
                                "{\"type\":\"object\"}")))
                        .build())
                .setMetadata(Map.of("mock.delay-ms", "5", "trace", "abc"))
                .setOwner("tenant-a")
                .setDeadline(T0.plusSeconds(60))
                .build();
    }

    static LlmRequest minimalRequest() {
        return LlmRequest.newBuilder().setRequestId(RequestIds.newId()).setCreatedAt(T0)
                .setRoute(List.of(new RouteTarget("mock", "echo")))
                .setMessages(List.of(Message.newBuilder().setRole("user").setContent("hi").build()))
                .setParams(GenerationParams.newBuilder().build())
                .build();
    }

    static FinalAnswer completedAnswer() {
        return FinalAnswer.newBuilder()
                .setRequestId(REQUEST_ID).setStatus(AnswerStatus.COMPLETED)
                .setText("It is 21°C.").setReasoning("Looked it up.")
                .setToolCalls(List.of(new FinalToolCall(0, "call_1", "get_weather", "{\"city\":\"Paris\"}", true)))
                .setFinishReason(FinishReason.STOP).setRawFinishReason("stop")
                .setUsage(new Usage(12L, 34L, 0L, 0L))
                .setProvider("openai").setModel("gpt-4o-mini")
                .setAttempts(1).setChunkCount(9L).setGaps(0L)
                .setCreatedAt(T0).setFirstTokenAt(T0.plusMillis(250)).setCompletedAt(T0.plusSeconds(2))
                .setChunkPartition(3).setFirstChunkOffset(1234L)
                .build();
    }

    static FinalAnswer failedAnswer() {
        return FinalAnswer.newBuilder()
                .setRequestId(REQUEST_ID).setStatus(AnswerStatus.FAILED).setText("partial")
                .setAttempts(2).setChunkCount(3L).setCompletedAt(T0)
                .setError(new AnswerError("PROVIDER_ERROR", "upstream 503"))
                .build();
    }

    static ThroughputWindow window() {
        return ThroughputWindow.newBuilder().setProvider("openai").setModel("gpt-4o-mini")
                .setWindowStart(T0).setWindowEnd(T0.plusSeconds(10))
                .setRequestsStarted(10).setRequestsCompleted(8).setRequestsFailed(2)
                .setFailedByCode(Map.of("PROVIDER_ERROR", 2L))
                .setOutputTokens(4000).setTokensPerSecond(400.0)
                .setTtftP50Ms(120.5).setTtftP95Ms(410.0).setTtftMaxMs(800.0)
                .build();
    }
}
