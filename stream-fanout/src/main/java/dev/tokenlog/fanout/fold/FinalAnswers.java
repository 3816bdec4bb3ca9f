package dev.tokenlog.fanout.fold;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.AnswerError;
import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinalToolCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Turns a request's fold state and how it ended into its {@link FinalAnswer}. */
final class FinalAnswers {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private FinalAnswers() {}

    static FinalAnswer completed(FoldState state, Completed end, Instant at) {
        return base(state, AnswerStatus.COMPLETED, at)
                .setFinishReason(end.getFinishReason())
                .setRawFinishReason(end.getRawReason())
                .build();
    }

    static FinalAnswer failed(FoldState state, Failed end, Instant at) {
        return base(state, AnswerStatus.FAILED, at).setError(new AnswerError(end.getCode(), end.getMessage())).build();
    }

    static FinalAnswer cancelled(FoldState state, Cancelled end, Instant at) {
        return base(state, AnswerStatus.CANCELLED, at).setError(new AnswerError("CANCELLED", end.getReason())).build();
    }

    static FinalAnswer abandoned(FoldState state, Instant at, Duration idle) {
        String message = "no activity for " + idle.toString().substring(2).toLowerCase() + " ("
                + (state.attempt() == null ? "no worker started it" : "its worker stopped mid-stream")
                + "); resubmit the request";
        return base(state, AnswerStatus.ABANDONED, at).setError(new AnswerError("ABANDONED", message)).build();
    }

    /**
     * What is written instead of an answer that would not fit {@code llm.answers}: FAILED, without its
     * output, saying where the full output is.
     */
    static FinalAnswer tooLarge(FinalAnswer answer, long size, long limit) {
        String message = "the answer would take about " + size + " bytes, more than llm.answers takes (" + limit
                + "); its full output is in llm.chunks, partition " + answer.getChunkPartition() + " from offset "
                + answer.getFirstChunkOffset() + " (read it with GET /v1/streams/" + answer.getRequestId() + "/events)";
        return FinalAnswer.newBuilder(answer)
                .setStatus(AnswerStatus.FAILED)
                .setText("")
                .setReasoning("")
                .setToolCalls(List.of())
                .setFinishReason(null)
                .setRawFinishReason(null)
                .setTruncated(true)
                .setError(new AnswerError("ANSWER_TOO_LARGE", message))
                .build();
    }

    private static FinalAnswer.Builder base(FoldState state, AnswerStatus status, Instant completedAt) {
        AttemptState a = state.attempt() != null ? state.attempt() : AttemptState.begin(null, null);
        return FinalAnswer.newBuilder()
                .setRequestId(state.requestId())
                .setStatus(status)
                .setText(a.text())
                .setReasoning(a.reasoning())
                .setToolCalls(toolCalls(a))
                .setFinishReason(null)
                .setRawFinishReason(null)
                .setUsage(a.usage() == null ? null : a.usage().toAvro())
                .setProvider(a.provider())
                .setModel(a.model())
                .setAttempts(state.attempts())
                .setChunkCount(a.chunkCount())
                .setGaps(a.gaps())
                .setCreatedAt(state.createdAt() != null ? state.createdAt() : UuidV7.timestampOf(state.requestId()))
                .setFirstTokenAt(a.firstTokenAt())
                .setCompletedAt(completedAt)
                .setError(null)
                .setChunkPartition(state.chunkPartition())
                .setFirstChunkOffset(a.firstChunkOffset())
                .setOwner(state.owner())
                .setTruncated(a.truncated());
    }

    private static List<FinalToolCall> toolCalls(AttemptState attempt) {
        return attempt.toolCalls().values().stream()
                .map(t -> new FinalToolCall(t.index(), t.id(), t.name(), t.arguments(), isJson(t.arguments())))
                .toList();
    }

    /** Whether the whole text is one JSON value; empty text is not. */
    static boolean isJson(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && !node.isMissingNode();
        } catch (JacksonException e) {
            return false;
        }
    }
}
