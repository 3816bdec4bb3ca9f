package dev.tokenlog.fanout.fold;

import dev.tokenlog.schemas.Topics;
import java.time.Duration;
import java.util.Objects;

/**
 * Timing and limits of the answer fold.
 *
 * @param abandonAfter   a request with no activity for this long ends {@code ABANDONED}
 * @param punctuateEvery how often (wall clock) the fold looks for abandoned requests
 * @param maxAnswerBytes output (text, reasoning and tool arguments, UTF-8) a FinalAnswer holds at most;
 *                       beyond it the answer is stored truncated and flagged (the full output stays in
 *                       {@code llm.chunks}). At most {@link AnswerSize#LIMIT} minus room for the other fields.
 */
public record FoldSettings(Duration abandonAfter, Duration punctuateEvery, long maxAnswerBytes) {
    /** Default of {@link #maxAnswerBytes}: half of what {@code llm.answers} takes, so the record always fits. */
    public static final long DEFAULT_MAX_ANSWER_BYTES = Topics.ANSWERS_MAX_MESSAGE_BYTES / 2;

    public FoldSettings {
        Objects.requireNonNull(abandonAfter, "abandonAfter");
        Objects.requireNonNull(punctuateEvery, "punctuateEvery");
        if (!abandonAfter.isPositive() || !punctuateEvery.isPositive()) {
            throw new IllegalArgumentException("abandonAfter and punctuateEvery must be positive, got "
                    + abandonAfter + " and " + punctuateEvery);
        }
        if (maxAnswerBytes < 1 || maxAnswerBytes > AnswerSize.MAX_OUTPUT) {
            throw new IllegalArgumentException("tokenlog.fold.max-answer-bytes must be between 1 and "
                    + AnswerSize.MAX_OUTPUT + " (llm.answers takes records up to " + AnswerSize.LIMIT
                    + " bytes), got " + maxAnswerBytes);
        }
    }

    /** With the default answer size limit. */
    public FoldSettings(Duration abandonAfter, Duration punctuateEvery) {
        this(abandonAfter, punctuateEvery, DEFAULT_MAX_ANSWER_BYTES);
    }

    /** Abandon after 15 minutes without activity, checked every 10 seconds; answers up to 8 MiB. */
    public static FoldSettings defaults() {
        return new FoldSettings(Duration.ofMinutes(15), Duration.ofSeconds(10));
    }

    /** These settings with another answer size limit. */
    public FoldSettings withMaxAnswerBytes(long bytes) {
        return new FoldSettings(abandonAfter, punctuateEvery, bytes);
    }
}
