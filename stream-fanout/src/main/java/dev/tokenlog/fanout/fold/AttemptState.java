package dev.tokenlog.fanout.fold;

import java.time.Instant;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The partial output of a request's current attempt. Discarded as a whole when a new attempt starts
 * (ARCHITECTURE.md, guarantee 3).
 *
 * @param attemptId        the attempt
 * @param provider         provider entry from its Started
 * @param model            model from its Started
 * @param firstChunkOffset offset of its Started in the chunks partition; null when unknown
 * @param lastSeq          highest seq folded; -1 before the Started
 * @param gaps             seq numbers skipped so far
 * @param chunkCount       chunks folded, Started included
 * @param text             answer text held in the state itself: the start of it, up to {@link #INLINE_LIMIT};
 *                         the rest is kept in {@link OutputLog} and joined when the answer is built
 * @param reasoning        reasoning text, likewise
 * @param toolCalls        tool calls by index (their arguments, likewise)
 * @param usage            last usage reported; null when none yet
 * @param firstTokenAt     producedAt of its first output chunk (text, reasoning or tool call)
 * @param outputBytes      UTF-8 bytes of output kept so far (inline and in the {@link OutputLog})
 * @param truncated        whether output was dropped at the answer size limit; later output is only counted
 */
public record AttemptState(
        String attemptId,
        String provider,
        String model,
        Long firstChunkOffset,
        long lastSeq,
        long gaps,
        long chunkCount,
        String text,
        String reasoning,
        SortedMap<Integer, ToolCallState> toolCalls,
        UsageState usage,
        Instant firstTokenAt,
        long outputBytes,
        boolean truncated) {

    public AttemptState {
        toolCalls = Collections.unmodifiableSortedMap(
                toolCalls == null ? new TreeMap<>() : new TreeMap<>(toolCalls));
    }

    /**
     * Output held inline (text, reasoning, tool arguments) up to which deltas stay in the state; past
     * it they go to the {@link OutputLog}, so that every state write stays below a constant size.
     */
    static final int INLINE_LIMIT = 2048;

    static AttemptState begin(String attemptId, Long firstChunkOffset) {
        return new AttemptState(attemptId, null, null, firstChunkOffset, -1, 0, 0, "", "", null, null, null, 0, false);
    }

    /** Whether later output goes to the {@link OutputLog} (the inline output reached {@link #INLINE_LIMIT}). */
    boolean spilled() {
        long inline = (long) text.length() + reasoning.length();
        for (ToolCallState call : toolCalls.values()) {
            inline += call.arguments().length();
        }
        return inline >= INLINE_LIMIT;
    }

    /** Seq numbers missing between the last folded chunk and {@code seq}. */
    long missingBefore(long seq) {
        return Math.max(0, seq - lastSeq - 1);
    }

    AttemptState advance(long seq) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, seq, gaps + missingBefore(seq),
                chunkCount + 1, text, reasoning, toolCalls, usage, firstTokenAt, outputBytes, truncated);
    }

    AttemptState source(String provider, String model) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text, reasoning, toolCalls, usage, firstTokenAt, outputBytes, truncated);
    }

    AttemptState appendText(String delta, Instant producedAt) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text + delta, reasoning, toolCalls, usage, firstToken(producedAt), outputBytes, truncated);
    }

    AttemptState appendReasoning(String delta, Instant producedAt) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text, reasoning + delta, toolCalls, usage, firstToken(producedAt), outputBytes, truncated);
    }

    AttemptState toolCall(int index, UnaryOperator<ToolCallState> change, Instant producedAt) {
        SortedMap<Integer, ToolCallState> calls = new TreeMap<>(toolCalls);
        calls.put(index, change.apply(calls.getOrDefault(index, ToolCallState.empty(index))));
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text, reasoning, calls, usage, firstToken(producedAt), outputBytes, truncated);
    }

    /** Marks an output chunk whose text is kept elsewhere ({@link OutputLog}): only the first-token time. */
    AttemptState output(Instant producedAt) {
        return firstTokenAt != null ? this : new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq,
                gaps, chunkCount, text, reasoning, toolCalls, usage, producedAt, outputBytes, truncated);
    }

    /** This attempt with its whole output, as assembled by {@link OutputLog#hydrate}. */
    AttemptState withOutput(String fullText, String fullReasoning, SortedMap<Integer, ToolCallState> calls) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                fullText, fullReasoning, calls, usage, firstTokenAt, outputBytes, truncated);
    }

    /** This attempt with {@code bytes} more output kept. */
    AttemptState kept(long bytes) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text, reasoning, toolCalls, usage, firstTokenAt, outputBytes + bytes, truncated);
    }

    /** This attempt with its output cut at the answer size limit: later output is counted, not kept. */
    AttemptState truncate() {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text, reasoning, toolCalls, usage, firstTokenAt, outputBytes, true);
    }

    AttemptState usage(UsageState last) {
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount,
                text, reasoning, toolCalls, last, firstTokenAt, outputBytes, truncated);
    }

    private Instant firstToken(Instant producedAt) {
        return firstTokenAt != null ? firstTokenAt : producedAt;
    }
}
