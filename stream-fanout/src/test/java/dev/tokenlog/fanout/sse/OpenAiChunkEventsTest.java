package dev.tokenlog.fanout.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.AnswerError;
import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinalToolCall;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.fanout.api.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The exact OpenAI chunks (wire text) that chunk records of a stream become, case by case. */
class OpenAiChunkEventsTest {
    private static final String ID = "01890a5d-ac96-774b-bcce-b302099a8057";
    /** The chunk header: {@code created} is the UUIDv7 time of {@link #ID} in epoch seconds. */
    private static final String HEAD = "{\"id\":\"chatcmpl-" + ID
            + "\",\"object\":\"chat.completion.chunk\",\"created\":1688096058,\"model\":\"mock/echo\",";

    @Test
    void textStreamsAsRoleChunkDeltasFinishChunkAndDoneWithTheChunkPositionsAsIds() {
        List<String> wire = run(new OpenAiChunkEvents(ID, null, false, false),
                started("a1"), text("a1", "Hel"), text("a1", "lo"), usage("a1"), completed("a1", FinishReason.STOP));

        assertThat(wire).containsExactly(
                "id: 0-10\ndata: " + HEAD + choice("{\"role\":\"assistant\",\"content\":\"\"}", null) + "}\n\n",
                "id: 0-11\ndata: " + HEAD + choice("{\"content\":\"Hel\"}", null) + "}\n\n",
                "id: 0-12\ndata: " + HEAD + choice("{\"content\":\"lo\"}", null) + "}\n\n",
                "data: " + HEAD + choice("{}", "stop") + "}\n\n",
                "id: 0-14\ndata: [DONE]\n\n");
    }

    @Test
    void includeUsageAddsUsageNullToEveryChunkAndAUsageChunkWithNoChoicesBeforeDone() {
        List<String> wire = run(new OpenAiChunkEvents(ID, null, false, true),
                started("a1"), text("a1", "hi"), usage("a1"), completed("a1", FinishReason.LENGTH));

        assertThat(wire).containsExactly(
                "id: 0-10\ndata: " + HEAD + choice("{\"role\":\"assistant\",\"content\":\"\"}", null) + ",\"usage\":null}\n\n",
                "id: 0-11\ndata: " + HEAD + choice("{\"content\":\"hi\"}", null) + ",\"usage\":null}\n\n",
                "data: " + HEAD + choice("{}", "length") + ",\"usage\":null}\n\n",
                "data: " + HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
                        + "\"total_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":2},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n\n",
                "id: 0-13\ndata: [DONE]\n\n");
    }

    @Test
    void reasoningAndToolCallsBecomeReasoningContentAndIndexedToolCallDeltas() {
        List<String> wire = run(new OpenAiChunkEvents(ID, null, false, false),
                started("a1"), chunk("a1", new ReasoningDelta("think")),
                chunk("a1", new ToolCallStarted(0, "call_1", "get_weather")),
                chunk("a1", new ToolCallDelta(0, "{\"city\":")), chunk("a1", new ToolCallDelta(0, "\"Paris\"}")),
                chunk("a1", new ToolCallFinished(0)), completed("a1", FinishReason.TOOL_CALLS));

        assertThat(wire).containsExactly(
                "id: 0-10\ndata: " + HEAD + choice("{\"role\":\"assistant\",\"content\":\"\"}", null) + "}\n\n",
                "id: 0-11\ndata: " + HEAD + choice("{\"reasoning_content\":\"think\"}", null) + "}\n\n",
                "id: 0-12\ndata: " + HEAD + choice("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null) + "}\n\n",
                "id: 0-13\ndata: " + HEAD + choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"{\\\"city\\\":\"}}]}", null) + "}\n\n",
                "id: 0-14\ndata: " + HEAD + choice("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + "\"\\\"Paris\\\"}\"}}]}", null) + "}\n\n",
                "data: " + HEAD + choice("{}", "tool_calls") + "}\n\n",
                "id: 0-16\ndata: [DONE]\n\n");
    }

    static Stream<Arguments> terminals() {
        return Stream.of(
                Arguments.of("failure after output", new Failed("PROVIDER_ERROR", "upstream broke", false, true),
                        "{\"error\":{\"message\":\"upstream broke\",\"type\":\"server_error\",\"param\":null,"
                                + "\"code\":\"provider_error\"}}"),
                Arguments.of("provider refused the request", new Failed("INVALID_REQUEST", "bad image", false, false),
                        "{\"error\":{\"message\":\"bad image\",\"type\":\"invalid_request_error\",\"param\":null,"
                                + "\"code\":\"invalid_request\"}}"),
                Arguments.of("rate limited", new Failed("RATE_LIMITED", "slow down", true, false),
                        "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"param\":null,"
                                + "\"code\":\"rate_limited\"}}"),
                Arguments.of("cancel", new Cancelled("user pressed stop"),
                        "{\"error\":{\"message\":\"the request was cancelled: user pressed stop\","
                                + "\"type\":\"request_cancelled\",\"param\":null,\"code\":\"cancelled\"}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("terminals")
    void aFailedOrCancelledAttemptEndsWithAnOpenAiErrorObjectThenDone(String name, Object terminal, String error) {
        List<SseFrame> frames = frames(new OpenAiChunkEvents(ID, null, false, false),
                started("a1"), text("a1", "par"), chunk("a1", terminal));

        assertThat(frames).hasSize(4);
        assertThat(frames.get(2).encode()).isEqualTo("data: " + error + "\n\n");
        assertThat(frames.get(2).terminal()).isFalse();
        assertThat(frames.get(3).encode()).isEqualTo("id: 0-12\ndata: [DONE]\n\n");
        assertThat(frames.get(3).terminal()).isTrue();
    }

    @Test
    void finishReasonsMapOntoOpenAisAndAProviderSpecificOneReadsAsStop() {
        assertThat(finishOf(FinishReason.STOP)).isEqualTo("stop");
        assertThat(finishOf(FinishReason.LENGTH)).isEqualTo("length");
        assertThat(finishOf(FinishReason.TOOL_CALLS)).isEqualTo("tool_calls");
        assertThat(finishOf(FinishReason.CONTENT_FILTER)).isEqualTo("content_filter");
        assertThat(finishOf(FinishReason.OTHER)).isEqualTo("stop");
    }

    @Test
    void aNewAttemptAfterOutputEndsTheStreamWithStreamRestartedAndNoIdSoAResumeMeetsItAgain() {
        List<SseFrame> frames = frames(new OpenAiChunkEvents(ID, null, false, false),
                started("a1"), text("a1", "first try "), started("a2"), text("a2", "second"), completed("a2", FinishReason.STOP));

        assertThat(frames).hasSize(4);
        assertThat(frames.get(2).id()).isNull();
        assertThat(frames.get(2).data()).contains("\"code\":\"stream_restarted\"").contains("GET /v1/streams/" + ID);
        assertThat(frames.get(3).id()).isNull();
        assertThat(frames.get(3).data()).isEqualTo("[DONE]");
        assertThat(frames.get(3).terminal()).isTrue();
    }

    @Test
    void aNewAttemptBeforeAnyOutputGoesOnWithoutASecondRoleAndDropsTheOldAttemptsLateChunks() {
        List<String> wire = run(new OpenAiChunkEvents(ID, null, false, false),
                started("a1"), started("a2"), text("a1", "stale"), text("a2", "fresh"), completed("a2", FinishReason.STOP));

        assertThat(wire).containsExactly(
                "id: 0-10\ndata: " + HEAD + choice("{\"role\":\"assistant\",\"content\":\"\"}", null) + "}\n\n",
                "id: 0-13\ndata: " + HEAD + choice("{\"content\":\"fresh\"}", null) + "}\n\n",
                "data: " + HEAD + choice("{}", "stop") + "}\n\n",
                "id: 0-14\ndata: [DONE]\n\n");
    }

    @Test
    void aResumedSubscriberGetsNoRoleAndTheModelItWasGiven() {
        List<String> wire = run(new OpenAiChunkEvents(ID, "mock/echo", true, false), text("a1", "rest"));

        assertThat(wire).containsExactly("id: 0-10\ndata: " + HEAD + choice("{\"content\":\"rest\"}", null) + "}\n\n");
    }

    @Test
    void aResumedSubscriberThatMeetsAStartedMayHoldOldOutputSoTheStreamEndsRestarted() {
        List<SseFrame> frames = frames(new OpenAiChunkEvents(ID, "mock/echo", true, false),
                started("a2"), text("a2", "new"));

        assertThat(frames).extracting(SseFrame::data).last().isEqualTo("[DONE]");
        assertThat(frames.get(0).data()).contains("stream_restarted");
    }

    @Test
    void aSubscriberJoiningAtTheLiveTailGetsTheRoleOnItsFirstDelta() {
        List<String> wire = run(new OpenAiChunkEvents(ID, "mock/echo", false, false), text("a1", "live"));

        assertThat(wire).containsExactly(
                "id: 0-10\ndata: " + HEAD + choice("{\"role\":\"assistant\",\"content\":\"live\"}", null) + "}\n\n");
    }

    @Test
    void anExpiredStreamReplaysItsAnswerAsOneChunkThenFinishUsageAndDone() {
        FinalAnswer answer = answer(AnswerStatus.COMPLETED, "all of it", null);
        answer.setToolCalls(List.of(new FinalToolCall(0, "call_1", "f", "{}", true)));
        List<SseFrame> frames = new ArrayList<>();
        new OpenAiChunkEvents(ID, null, false, true).replay(answer, frames::add);

        assertThat(frames).extracting(SseFrame::id).containsOnlyNulls();
        assertThat(frames).extracting(SseFrame::encode).containsExactly(
                "data: " + HEAD + choice("{\"role\":\"assistant\",\"content\":\"all of it\",\"tool_calls\":[{\"index\":0,"
                        + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}",
                        null) + ",\"usage\":null}\n\n",
                "data: " + HEAD + choice("{}", "tool_calls") + ",\"usage\":null}\n\n",
                "data: " + HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
                        + "\"total_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":2},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n\n",
                "data: [DONE]\n\n");
        assertThat(frames.getLast().terminal()).isTrue();
    }

    @Test
    void anExpiredFailedStreamReplaysItsPartialTextThenTheError() {
        FinalAnswer answer = answer(AnswerStatus.FAILED, "part", new AnswerError("IDLE_TIMEOUT", "no bytes for 60s"));
        List<SseFrame> frames = new ArrayList<>();
        new OpenAiChunkEvents(ID, null, false, false).replay(answer, frames::add);

        assertThat(frames).extracting(SseFrame::data).containsExactly(
                HEAD + choice("{\"role\":\"assistant\",\"content\":\"part\"}", null) + "}",
                "{\"error\":{\"message\":\"no bytes for 60s\",\"type\":\"server_error\",\"param\":null,"
                        + "\"code\":\"idle_timeout\"}}",
                "[DONE]");
    }

    @Test
    void theFormatParameterPicksTheMapperAndAnUnknownFormatIsA400() {
        assertThat(EventFormat.of(null)).isEqualTo(EventFormat.NATIVE);
        assertThat(EventFormat.of("native")).isEqualTo(EventFormat.NATIVE);
        assertThat(EventFormat.OPENAI.events(ID, null, false, q -> null)).isInstanceOf(OpenAiChunkEvents.class);
        assertThat(EventFormat.NATIVE.events(ID, null, false, q -> null)).isInstanceOf(ChunkEvents.class);
        assertThatThrownBy(() -> EventFormat.of("anthropic")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> EventFormat.OPENAI.events(ID, null, false, q -> "yes"))
                .hasMessage("include_usage must be true or false, got 'yes'");
        assertThat(EventFormat.OPENAI.errorJson(ApiException.notFound("no stream with id 'x'"))).isEqualTo(
                "{\"error\":{\"message\":\"no stream with id 'x'\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":\"not_found\"}}");
    }

    private static String finishOf(FinishReason reason) {
        List<SseFrame> frames = frames(new OpenAiChunkEvents(ID, null, false, false), started("a1"), completed("a1", reason));
        String finish = frames.get(1).data();
        return finish.substring(finish.indexOf("\"finish_reason\":\"") + 17, finish.indexOf("\"}]"));
    }

    private static String choice(String delta, String finishReason) {
        return "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]";
    }

    /** Maps the chunks, at offsets 10, 11, … of partition 0, and stops after the terminal frame as the route does. */
    private static List<SseFrame> frames(OpenAiChunkEvents events, ChunkRecord... chunks) {
        List<SseFrame> frames = new ArrayList<>();
        for (int i = 0; i < chunks.length && (frames.isEmpty() || !frames.getLast().terminal()); i++) {
            events.map(new EventId(0, 10 + i), chunks[i], frame -> {
                if (frames.isEmpty() || !frames.getLast().terminal()) {
                    frames.add(frame);
                }
            });
        }
        return frames;
    }

    private static List<String> run(OpenAiChunkEvents events, ChunkRecord... chunks) {
        return frames(events, chunks).stream().map(SseFrame::encode).toList();
    }

    private static ChunkRecord started(String attempt) {
        return chunk(attempt, new Started("mock", "echo", 0));
    }

    private static ChunkRecord text(String attempt, String text) {
        return chunk(attempt, new TextDelta(text));
    }

    private static ChunkRecord usage(String attempt) {
        return chunk(attempt, new Usage(7L, 3L, 2L, 1L));
    }

    private static ChunkRecord completed(String attempt, FinishReason reason) {
        return chunk(attempt, new Completed(reason, reason.name().toLowerCase()));
    }

    private static ChunkRecord chunk(String attempt, Object event) {
        return new ChunkRecord(ID, attempt, 0L, Instant.EPOCH, event);
    }

    private static FinalAnswer answer(AnswerStatus status, String text, AnswerError error) {
        return FinalAnswer.newBuilder().setRequestId(ID).setStatus(status).setText(text)
                .setFinishReason(status == AnswerStatus.COMPLETED ? FinishReason.TOOL_CALLS : null)
                .setUsage(new Usage(7L, 3L, 2L, 1L)).setProvider("mock").setModel("echo").setAttempts(1)
                .setChunkCount(3).setCompletedAt(Instant.EPOCH).setError(error).build();
    }
}
