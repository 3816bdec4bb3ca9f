package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import java.time.Instant;

/** Writes the chunks of one attempt the way a worker does: seq 0, 1, 2…, producedAt one second apart. */
final class AttemptScript {
    final String requestId;
    final String attemptId;
    private final Instant startedAt;
    private long nextSeq;

    AttemptScript(String requestId, String attemptId, Instant startedAt) {
        this.requestId = requestId;
        this.attemptId = attemptId;
        this.startedAt = startedAt;
    }

    ChunkRecord started(String provider, String model) {
        return next(new Started(provider, model, 0));
    }

    ChunkRecord text(String text) {
        return next(new TextDelta(text));
    }

    ChunkRecord reasoning(String text) {
        return next(new ReasoningDelta(text));
    }

    ChunkRecord toolStarted(int index, String id, String name) {
        return next(new ToolCallStarted(index, id, name));
    }

    ChunkRecord toolDelta(int index, String argumentsDelta) {
        return next(new ToolCallDelta(index, argumentsDelta));
    }

    ChunkRecord toolFinished(int index) {
        return next(new ToolCallFinished(index));
    }

    ChunkRecord usage(long input, long output) {
        return next(new Usage(input, output, 0L, 0L));
    }

    ChunkRecord completed(FinishReason reason, String raw) {
        return next(new Completed(reason, raw));
    }

    ChunkRecord failed(String code, String message, boolean partial) {
        return next(new Failed(code, message, false, partial));
    }

    ChunkRecord cancelled(String reason) {
        return next(new Cancelled(reason));
    }

    /** Skips {@code count} seq numbers, as if those chunks were lost. */
    AttemptScript skip(long count) {
        nextSeq += count;
        return this;
    }

    /** The chunk at an explicit seq (a duplicate when it was sent before); does not move the script on. */
    ChunkRecord at(long seq, Object event) {
        return new ChunkRecord(requestId, attemptId, seq, producedAt(seq), event);
    }

    /** When the chunk at {@code seq} was produced. */
    Instant producedAt(long seq) {
        return startedAt.plusSeconds(seq);
    }

    private ChunkRecord next(Object event) {
        return at(nextSeq++, event);
    }
}
