package dev.tokenlog.fanout.fold;

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
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Folds one chunk into its request's state: attempts, duplicates and gaps first (ARCHITECTURE.md,
 * guarantees 1–3), then the event itself. Knows nothing of stores; {@link ChunkFoldProcessor} applies
 * the returned {@link FoldStep}.
 */
final class ChunkFolder {
    private static final Logger LOG = Logger.getLogger(ChunkFolder.class);
    private final FoldMetrics metrics;

    ChunkFolder(FoldMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * @param state the request's state; null when it has none (never registered, or already answered)
     * @param at    the chunk's position in {@code llm.chunks}
     * @param now   wall-clock time, the request's new last activity
     */
    FoldStep fold(FoldState state, ChunkRecord chunk, ChunkPosition at, Instant now) {
        Object event = chunk.getEvent();
        if (state == null && !(event instanceof Started)) {
            metrics.onLate();
            return FoldStep.SKIP;
        }
        FoldState s = state != null ? state : FoldState.unregistered(chunk.getRequestId(), now);
        String attemptId = chunk.getAttemptId();
        if (s.isCurrent(attemptId)) {
            if (chunk.getSeq() <= s.attempt().lastSeq()) {
                metrics.onDuplicate();
                return FoldStep.SKIP;
            }
        } else if (event instanceof Started && !s.isSuperseded(attemptId)) {
            s = s.beginAttempt(attemptId, at);
        } else {
            metrics.onStale();
            return FoldStep.SKIP;
        }
        long missing = s.attempt().missingBefore(chunk.getSeq());
        if (missing > 0) {
            metrics.onGap(missing);
            LOG.warnf("request %s attempt %s: %d chunk(s) missing before seq %d", s.requestId(), attemptId,
                    missing, chunk.getSeq());
        }
        metrics.onFolded();
        return apply(s, s.attempt().advance(chunk.getSeq()), event, chunk.getProducedAt(), now);
    }

    private FoldStep apply(FoldState s, AttemptState a, Object event, Instant producedAt, Instant now) {
        return switch (event) {
            case Started e -> keep(s, a.source(e.getProvider(), e.getModel()), now);
            case TextDelta e -> keep(s, a.appendText(e.getText(), producedAt), now);
            case ReasoningDelta e -> keep(s, a.appendReasoning(e.getText(), producedAt), now);
            case ToolCallStarted e ->
                    keep(s, a.toolCall(e.getIndex(), t -> t.named(e.getId(), e.getName()), producedAt), now);
            case ToolCallDelta e ->
                    keep(s, a.toolCall(e.getIndex(), t -> t.append(e.getArgumentsDelta()), producedAt), now);
            case ToolCallFinished e -> keep(s, a.toolCall(e.getIndex(), ToolCallState::finish, producedAt), now);
            case Usage e -> keep(s, a.usage(UsageState.of(e)), now);
            case Completed e -> emit(FinalAnswers.completed(s.withAttempt(a, now), e, producedAt));
            case Failed e -> emit(FinalAnswers.failed(s.withAttempt(a, now), e, producedAt));
            case Cancelled e -> emit(FinalAnswers.cancelled(s.withAttempt(a, now), e, producedAt));
            default -> {
                // A union branch this fold does not know yet: counted as folded, changes nothing.
                LOG.warnf("request %s: unknown chunk event %s ignored", s.requestId(), event.getClass().getName());
                yield keep(s, a, now);
            }
        };
    }

    private static FoldStep keep(FoldState s, AttemptState a, Instant now) {
        return new FoldStep.Keep(s.withAttempt(a, now));
    }

    private FoldStep emit(FinalAnswer answer) {
        metrics.onAnswer();
        return new FoldStep.Emit(answer);
    }
}
