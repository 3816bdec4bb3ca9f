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
 * guarantees 1–3), then the event itself. Output text goes to the {@link OutputLog} and is assembled
 * at the terminal; {@link ChunkFoldProcessor} applies the returned {@link FoldStep} to the state store.
 */
final class ChunkFolder {
    private static final Logger LOG = Logger.getLogger(ChunkFolder.class);
    private final FoldMetrics metrics;
    private final OutputLog output;

    ChunkFolder(FoldMetrics metrics, OutputLog output) {
        this.metrics = metrics;
        this.output = output;
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
            if (s.attempt() != null && s.attempt().spilled()) {
                output.discard(s.requestId(), s.attemptId());
            }
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
        return apply(s, s.attempt().advance(chunk.getSeq()), chunk.getSeq(), event, chunk.getProducedAt(), now);
    }

    private FoldStep apply(FoldState s, AttemptState a, long seq, Object event, Instant producedAt, Instant now) {
        return switch (event) {
            case Started e -> keep(s, a.source(e.getProvider(), e.getModel()), now);
            case TextDelta e -> keep(s, append(s, seq, new OutputDelta.Text(e.getText()), a, producedAt), now);
            case ReasoningDelta e -> keep(s, append(s, seq, new OutputDelta.Reasoning(e.getText()), a, producedAt), now);
            case ToolCallStarted e ->
                    keep(s, a.toolCall(e.getIndex(), t -> t.named(e.getId(), e.getName()), producedAt), now);
            case ToolCallDelta e -> keep(s, append(s, seq, new OutputDelta.ToolArguments(e.getIndex(),
                    e.getArgumentsDelta()), a.toolCall(e.getIndex(), t -> t, producedAt), producedAt), now);
            case ToolCallFinished e -> keep(s, a.toolCall(e.getIndex(), ToolCallState::finish, producedAt), now);
            case Usage e -> keep(s, a.usage(UsageState.of(e)), now);
            case Completed e -> emit(FinalAnswers.completed(complete(s, a, now), e, producedAt));
            case Failed e -> emit(FinalAnswers.failed(complete(s, a, now), e, producedAt));
            case Cancelled e -> emit(FinalAnswers.cancelled(complete(s, a, now), e, producedAt));
            default -> {
                // A union branch this fold does not know yet: counted as folded, changes nothing.
                LOG.warnf("request %s: unknown chunk event %s ignored", s.requestId(), event.getClass().getName());
                yield keep(s, a, now);
            }
        };
    }

    /** Inline while the attempt's output is small (no extra store work), then into the {@link OutputLog}. */
    private AttemptState append(FoldState s, long seq, OutputDelta delta, AttemptState a, Instant producedAt) {
        if (!a.spilled()) {
            return switch (delta) {
                case OutputDelta.Text t -> a.appendText(t.text(), producedAt);
                case OutputDelta.Reasoning r -> a.appendReasoning(r.text(), producedAt);
                case OutputDelta.ToolArguments t -> a.toolCall(t.index(), c -> c.append(t.text()), producedAt);
            };
        }
        output.append(s.requestId(), a.attemptId(), seq, delta);
        return a.output(producedAt);
    }

    /** The state with the attempt's whole output; its spilled deltas are dropped. */
    private FoldState complete(FoldState s, AttemptState a, Instant now) {
        return s.withAttempt(a.spilled() ? output.drain(s.requestId(), a) : a, now);
    }

    private static FoldStep keep(FoldState s, AttemptState a, Instant now) {
        return new FoldStep.Keep(s.withAttempt(a, now));
    }

    private FoldStep emit(FinalAnswer answer) {
        metrics.onAnswer();
        return new FoldStep.Emit(answer);
    }
}
