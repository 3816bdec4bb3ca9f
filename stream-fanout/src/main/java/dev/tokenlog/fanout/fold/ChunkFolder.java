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
    private final long maxAnswerBytes;

    /** @param maxAnswerBytes output an attempt keeps at most (UTF-8 bytes); the rest is counted, not kept */
    ChunkFolder(FoldMetrics metrics, OutputLog output, long maxAnswerBytes) {
        this.metrics = metrics;
        this.output = output;
        this.maxAnswerBytes = maxAnswerBytes;
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
            case ToolCallStarted e -> keep(s, named(s, a, e, producedAt), now);
            case ToolCallDelta e -> keep(s, append(s, seq, new OutputDelta.ToolArguments(e.getIndex(),
                    e.getArgumentsDelta()), call(a, e.getIndex(), t -> t, producedAt), producedAt), now);
            case ToolCallFinished e -> keep(s, call(a, e.getIndex(), ToolCallState::finish, producedAt), now);
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

    /**
     * Inline while the attempt's output is small (no extra store work), then into the {@link OutputLog};
     * past {@code maxAnswerBytes} nothing more is kept (the answer will say {@code truncated}), so neither
     * the state nor the answer grows with an endless output. The size check costs no extra pass: the
     * spilled path measures the bytes it encodes anyway, the inline path is bounded by the inline limit.
     */
    private AttemptState append(FoldState s, long seq, OutputDelta delta, AttemptState a, Instant producedAt) {
        if (a.truncated()) {
            return a.output(producedAt);
        }
        long room = maxAnswerBytes - a.outputBytes();
        if (!a.spilled()) {
            long size = AnswerSize.utf8Length(delta.text());
            if (size > room) {
                delta = delta.withText(AnswerSize.prefixWithin(delta.text(), room));
                size = AnswerSize.utf8Length(delta.text());
                a = truncated(s, a);
            }
            AttemptState kept = a.kept(size);
            return switch (delta) {
                case OutputDelta.Text t -> kept.appendText(t.text(), producedAt);
                case OutputDelta.Reasoning r -> kept.appendReasoning(r.text(), producedAt);
                case OutputDelta.ToolArguments t -> kept.toolCall(t.index(), c -> c.append(t.text()), producedAt);
            };
        }
        byte[] encoded = OutputDelta.encode(delta);
        if (OutputDelta.textBytes(encoded) > room) {
            encoded = OutputDelta.encode(delta.withText(AnswerSize.prefixWithin(delta.text(), room)));
            a = truncated(s, a);
        }
        output.append(s.requestId(), a.attemptId(), seq, encoded);
        return a.kept(OutputDelta.textBytes(encoded)).output(producedAt);
    }

    /**
     * A tool call's id and name stay in the state itself (they are not spilled), so they count toward
     * the answer limit too: past it, a new call is dropped like any other output.
     */
    private AttemptState named(FoldState s, AttemptState a, ToolCallStarted e, Instant producedAt) {
        if (a.truncated() && !a.toolCalls().containsKey(e.getIndex())) {
            return a.output(producedAt);
        }
        long size = AnswerSize.utf8Length(e.getId()) + AnswerSize.utf8Length(e.getName());
        if (size > maxAnswerBytes - a.outputBytes()) {
            return truncated(s, a).output(producedAt);
        }
        return a.kept(size).toolCall(e.getIndex(), t -> t.named(e.getId(), e.getName()), producedAt);
    }

    /** Changes a tool call; once the attempt is truncated, only calls it already has (no new entries in the state). */
    private static AttemptState call(AttemptState a, int index, java.util.function.UnaryOperator<ToolCallState> change,
                                     Instant producedAt) {
        return a.truncated() && !a.toolCalls().containsKey(index) ? a.output(producedAt)
                : a.toolCall(index, change, producedAt);
    }

    private AttemptState truncated(FoldState s, AttemptState a) {
        LOG.warnf("request %s attempt %s: output beyond %d bytes is not kept in its answer (truncated); "
                + "the full output stays in llm.chunks", s.requestId(), a.attemptId(), maxAnswerBytes);
        return a.truncate();
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
