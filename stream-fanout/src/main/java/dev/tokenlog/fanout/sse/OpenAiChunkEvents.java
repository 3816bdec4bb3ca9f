package dev.tokenlog.fanout.sse;

import static dev.tokenlog.fanout.openai.OpenAiWire.ordered;
import static dev.tokenlog.fanout.sse.ChunkEvents.json;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinalToolCall;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.fanout.openai.OpenAiWire;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Maps chunk records of one stream to OpenAI's streamed Chat Completions: unnamed events whose data
 * is a {@code chat.completion.chunk}, then {@code data: [DONE]}, the terminal frame. The first delta
 * carries {@code role: assistant}; text is {@code delta.content}, reasoning
 * {@code delta.reasoning_content}, tool calls {@code delta.tool_calls}; the finish chunk carries
 * {@code finish_reason}, and with {@code include_usage} a chunk with {@code choices: []} and the
 * usage follows it. A failure or a cancel is an OpenAI error object, then {@code [DONE]}.
 *
 * <p>Event ids: only the last frame made from a chunk carries the chunk's position, so resuming
 * after any id loses nothing (frames without an id may be sent again).
 *
 * <p>Attempts: OpenAI's format cannot take back text. A new attempt after output reached the client
 * (ARCHITECTURE.md guarantee 3, {@code reset} in the native format) ends the stream with an error
 * {@code stream_restarted}; a new attempt before any output just goes on, and chunks of a superseded
 * attempt are dropped.
 */
final class OpenAiChunkEvents implements StreamEvents {
    static final String DONE = "[DONE]";

    private final String streamId;
    private final String completionId;
    private final long created;
    private final boolean includeUsage;
    private String model;
    private String attempt;
    private boolean roleSent;
    private boolean clientHasOutput;
    private Usage usage;

    /**
     * @param model        {@code provider/model} until a {@code Started} names it; may be null when unknown
     * @param resumed      whether the subscriber resumed after an event id: it then has the role and
     *                     may hold output of an attempt that a following {@code Started} supersedes
     * @param includeUsage whether to send the usage chunk ({@code stream_options.include_usage})
     */
    OpenAiChunkEvents(String streamId, String model, boolean resumed, boolean includeUsage) {
        this.streamId = streamId;
        this.completionId = OpenAiWire.completionId(streamId);
        this.created = OpenAiWire.created(streamId);
        this.model = model;
        this.roleSent = resumed;
        this.clientHasOutput = resumed;
        this.includeUsage = includeUsage;
    }

    @Override
    public void map(EventId position, ChunkRecord chunk, Consumer<SseFrame> out) {
        map(position, chunk, null, out);
    }

    @Override
    public void map(ChunkReader.Positioned chunk, Consumer<SseFrame> out) {
        map(chunk.position(), chunk.chunk(), chunk.shared(), out);
    }

    private void map(EventId position, ChunkRecord chunk, SharedFrames shared, Consumer<SseFrame> out) {
        if (chunk.getEvent() instanceof Started s) {
            if (chunk.getAttemptId().equals(attempt)) {
                return;
            }
            if (clientHasOutput) {
                restarted(out);
                return;
            }
            attempt = chunk.getAttemptId();
            model = OpenAiWire.model(s.getProvider(), s.getModel());
            if (!roleSent) {
                out.accept(chunkFrame(position, delta("content", ""), null));
            }
            return;
        }
        if (attempt == null) {
            attempt = chunk.getAttemptId(); // resumed mid-attempt, or joined at the live tail
        } else if (!attempt.equals(chunk.getAttemptId())) {
            return; // a superseded attempt's late chunk
        }
        switch (chunk.getEvent()) {
            case TextDelta t -> output(out, position, shared, () -> delta("content", t.getText()));
            case ReasoningDelta r -> output(out, position, shared, () -> delta("reasoning_content", r.getText()));
            case ToolCallStarted t -> output(out, position, shared, () -> delta("tool_calls", List.of(ordered("index",
                    t.getIndex(), "id", t.getId(), "type", "function", "function", ordered("name", t.getName(),
                    "arguments", "")))));
            case ToolCallDelta t -> output(out, position, shared, () -> delta("tool_calls", List.of(ordered("index",
                    t.getIndex(), "function", Map.of("arguments", t.getArgumentsDelta())))));
            case ToolCallFinished ignored -> { } // OpenAI marks no end of a single call
            case Usage u -> usage = u;
            case Completed c -> {
                out.accept(chunkFrame(null, delta(), OpenAiWire.finishReason(c.getFinishReason())));
                if (includeUsage && usage != null) {
                    out.accept(new SseFrame(null, null, json(usageChunk(usage)), false));
                }
                out.accept(done(position));
            }
            case Failed f -> end(out, position, OpenAiWire.error(f.getMessage(),
                    OpenAiWire.failure(f.getCode()).type(), null, f.getCode().toLowerCase()));
            case Cancelled c -> end(out, position, OpenAiWire.error("the request was cancelled: " + c.getReason(),
                    "request_cancelled", null, "cancelled"));
            default -> throw new IllegalArgumentException("unknown chunk event " + chunk.getEvent().getClass().getName());
        }
    }

    /** The final answer as one chunk with the whole text, reasoning and tool calls, then its end. */
    @Override
    public void replay(FinalAnswer answer, Consumer<SseFrame> out) {
        if (model == null) {
            model = OpenAiWire.model(answer.getProvider(), answer.getModel());
        }
        Map<String, Object> delta = delta("content", answer.getText());
        if (!answer.getReasoning().isEmpty()) {
            delta.put("reasoning_content", answer.getReasoning());
        }
        if (!answer.getToolCalls().isEmpty()) {
            delta.put("tool_calls", answer.getToolCalls().stream().map(OpenAiChunkEvents::toolCall).toList());
        }
        out.accept(chunkFrame(null, delta, null));
        switch (answer.getStatus()) {
            case COMPLETED -> {
                out.accept(chunkFrame(null, delta(), OpenAiWire.finishReason(answer.getFinishReason())));
                if (includeUsage && answer.getUsage() != null) {
                    out.accept(new SseFrame(null, null, json(usageChunk(answer.getUsage())), false));
                }
                out.accept(done(null));
            }
            case CANCELLED -> end(out, null, OpenAiWire.error("the request was cancelled", "request_cancelled", null,
                    "cancelled"));
            default -> {
                String code = answer.getError() == null ? answer.getStatus().name() : answer.getError().getCode();
                String message = answer.getError() == null ? answer.getStatus().name() : answer.getError().getMessage();
                end(out, null, OpenAiWire.error(message, OpenAiWire.failure(code).type(), null, code.toLowerCase()));
            }
        }
    }

    private static Map<String, Object> toolCall(FinalToolCall call) {
        return ordered("index", call.getIndex(), "id", call.getId(), "type", "function",
                "function", ordered("name", call.getName(), "arguments", call.getArguments()));
    }

    /** What a shared output frame depends on besides the chunk (the stream's id is the chunk's). */
    private record SharedKey(String model, boolean includeUsage) {}

    /**
     * An output chunk; made once for all subscribers that share it ({@code shared}) unless it is this
     * subscriber's first delta, which carries the role.
     */
    private void output(Consumer<SseFrame> out, EventId position, SharedFrames shared,
                        Supplier<Map<String, Object>> delta) {
        clientHasOutput = true;
        if (shared != null && roleSent) {
            out.accept(shared.frame(EventFormat.OPENAI, new SharedKey(model, includeUsage),
                    () -> chunkFrame(position, delta.get(), null)));
        } else {
            out.accept(chunkFrame(position, delta.get(), null));
        }
    }

    /**
     * A new attempt after output: the client cannot take the text back, so the stream ends here. The
     * frames carry no id, so a client resuming from its last id meets the same restart again rather
     * than a mix of both attempts.
     */
    private void restarted(Consumer<SseFrame> out) {
        end(out, null, OpenAiWire.error("the provider call was restarted (a worker stopped mid-stream) and the output"
                + " streamed so far is void; the final answer holds only the last attempt: read GET /v1/streams/"
                + streamId + " once it has ended, or replay GET /v1/streams/" + streamId
                + "/events?format=openai from the start once it has ended", "server_error", null, "stream_restarted"));
    }

    private void end(Consumer<SseFrame> out, EventId position, Map<String, Object> error) {
        out.accept(new SseFrame(null, null, json(error), false));
        out.accept(done(position));
    }

    private static SseFrame done(EventId position) {
        return new SseFrame(position, null, DONE, true);
    }

    /** A delta; the first one sent to a client that has not had the role carries {@code role: assistant}. */
    private Map<String, Object> delta(Object... keyValues) {
        Map<String, Object> delta = ordered();
        if (!roleSent) {
            delta.put("role", "assistant");
            roleSent = true;
        }
        delta.putAll(ordered(keyValues));
        return delta;
    }

    private SseFrame chunkFrame(EventId position, Map<String, Object> delta, String finishReason) {
        Map<String, Object> chunk = header();
        chunk.put("choices", List.of(ordered("index", 0, "delta", delta, "finish_reason", finishReason)));
        if (includeUsage) {
            chunk.put("usage", null); // OpenAI: with include_usage, every other chunk has "usage": null
        }
        return new SseFrame(position, null, json(chunk), false);
    }

    private Map<String, Object> usageChunk(Usage usage) {
        Map<String, Object> chunk = header();
        chunk.put("choices", List.of());
        chunk.put("usage", OpenAiWire.usage(usage));
        return chunk;
    }

    private Map<String, Object> header() {
        return ordered("id", completionId, "object", "chat.completion.chunk", "created", created,
                "model", model == null ? "" : model);
    }
}
