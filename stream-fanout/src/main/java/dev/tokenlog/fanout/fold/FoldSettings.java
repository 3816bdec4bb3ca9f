package dev.tokenlog.fanout.fold;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the answer fold.
 *
 * @param abandonAfter   a request with no activity for this long ends {@code ABANDONED}
 * @param punctuateEvery how often (wall clock) the fold looks for abandoned requests
 */
public record FoldSettings(Duration abandonAfter, Duration punctuateEvery) {
    public FoldSettings {
        Objects.requireNonNull(abandonAfter, "abandonAfter");
        Objects.requireNonNull(punctuateEvery, "punctuateEvery");
        if (!abandonAfter.isPositive() || !punctuateEvery.isPositive()) {
            throw new IllegalArgumentException("abandonAfter and punctuateEvery must be positive, got "
                    + abandonAfter + " and " + punctuateEvery);
        }
    }

    /** Abandon after 15 minutes without activity, checked every 10 seconds. */
    public static FoldSettings defaults() {
        return new FoldSettings(Duration.ofMinutes(15), Duration.ofSeconds(10));
    }
}
