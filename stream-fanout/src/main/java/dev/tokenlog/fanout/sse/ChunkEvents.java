package dev.tokenlog.fanout.sse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.fanout.JsonFields;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Maps chunk records of one stream to SSE events, and keeps the attempt rule every consumer follows:
 * a {@code Started} of a new attempt discards the earlier attempt's output (the subscriber gets a
 * {@code reset} first) and chunks of a superseded attempt are dropped.
 */
final class ChunkEvents implements StreamEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String attempt;
    private boolean clientHasOutput;

    /**
     * @param resumed whether the subscriber resumed after an event id, so it may hold output of an
     *                attempt that a following {@code Started} supersedes
     */
    ChunkEvents(boolean resumed) {
        this.clientHasOutput = resumed;
    }

    /** Events for one chunk, in order (zero, one, or {@code reset} + {@code start}). */
    @Override
    public void map(EventId position, ChunkRecord chunk, Consumer<SseFrame> out) {
        map(position, chunk, null, out);
    }

    @Override
    public void map(ChunkReader.Positioned chunk, Consumer<SseFrame> out) {
        map(chunk.position(), chunk.chunk(), chunk.shared(), out);
    }

    /** A chunk's frame depends on nothing but the chunk: with {@code shared}, it is made once for all subscribers. */
    private void map(EventId position, ChunkRecord chunk, SharedFrames shared, Consumer<SseFrame> out) {
        if (chunk.getEvent() instanceof Started s) {
            if (clientHasOutput && !chunk.getAttemptId().equals(attempt)) {
                out.accept(new SseFrame(null, "reset", json(Map.of("attempt", chunk.getAttemptId()))));
            }
            attempt = chunk.getAttemptId();
            clientHasOutput = true;
            out.accept(new SseFrame(position, "start", json(ordered(
                    "provider", s.getProvider(), "model", s.getModel(), "attempt", chunk.getAttemptId()))));
            return;
        }
        if (attempt == null) {
            attempt = chunk.getAttemptId(); // resumed mid-attempt
        } else if (!attempt.equals(chunk.getAttemptId())) {
            return; // a superseded attempt's late chunk
        }
        clientHasOutput = true;
        out.accept(shared == null ? frame(position, chunk.getEvent())
                : shared.frame(EventFormat.NATIVE, EventFormat.NATIVE, () -> frame(position, chunk.getEvent())));
    }

    /** The final answer as one delta and its terminal. */
    @Override
    public void replay(FinalAnswer answer, Consumer<SseFrame> out) {
        out.accept(new SseFrame(null, "delta", json(Map.of("text", answer.getText()))));
        String status = answer.getStatus().name();
        switch (status) {
            case "COMPLETED" -> out.accept(new SseFrame(null, "done", json(ordered(
                    "finish_reason", answer.getFinishReason() == null ? null : answer.getFinishReason().name().toLowerCase(),
                    "raw_reason", answer.getRawFinishReason()))));
            case "CANCELLED" -> out.accept(new SseFrame(null, "cancelled", json(Map.of("reason",
                    answer.getError() == null ? "cancelled" : answer.getError().getMessage()))));
            default -> out.accept(new SseFrame(null, "error", json(ordered(
                    "code", answer.getError() == null ? status : answer.getError().getCode(),
                    "message", answer.getError() == null ? status : answer.getError().getMessage(),
                    "retryable", false, "partial", !answer.getText().isEmpty()))));
        }
    }

    private static SseFrame frame(EventId position, Object event) {
        return switch (event) {
            case TextDelta t -> new SseFrame(position, "delta", json(Map.of("text", t.getText())));
            case ReasoningDelta r -> new SseFrame(position, "reasoning", json(Map.of("text", r.getText())));
            case ToolCallStarted t -> new SseFrame(position, "tool_call",
                    json(ordered("type", "start", "index", t.getIndex(), "id", t.getId(), "name", t.getName())));
            case ToolCallDelta t -> new SseFrame(position, "tool_call",
                    json(ordered("type", "arguments", "index", t.getIndex(), "arguments", t.getArgumentsDelta())));
            case ToolCallFinished t -> new SseFrame(position, "tool_call", json(ordered("type", "end", "index", t.getIndex())));
            case Usage u -> new SseFrame(position, "usage", json(ordered("input", u.getInput(), "output", u.getOutput(),
                    "cached", u.getCached(), "reasoning", u.getReasoning())));
            case Completed c -> new SseFrame(position, "done", json(ordered(
                    "finish_reason", c.getFinishReason().name().toLowerCase(), "raw_reason", c.getRawReason())));
            case Failed f -> new SseFrame(position, "error", json(ordered("code", f.getCode(), "message", f.getMessage(),
                    "retryable", f.getRetryable(), "partial", f.getPartial())));
            case Cancelled c -> new SseFrame(position, "cancelled", json(Map.of("reason", c.getReason())));
            default -> throw new IllegalArgumentException("unknown chunk event " + event.getClass().getName());
        };
    }

    static Map<String, Object> ordered(Object... keyValues) {
        return JsonFields.ordered(keyValues);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode SSE data", e);
        }
    }
}
