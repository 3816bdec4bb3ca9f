package dev.tokenlog.fanout.metrics;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the throughput windows.
 *
 * @param window      length of each tumbling window (aligned to the epoch)
 * @param grace       how long after a window's end its events are still counted; a window is written
 *                    to {@code llm.metrics} once stream time passes its end plus this grace
 * @param retention   how long windows stay queryable in the local window store (at least window + grace)
 * @param forgetAfter a request with no terminal and no activity for this long is forgotten by the
 *                    per-request tracker (the fold abandons it after the same time)
 * @param sweepEvery  how often (wall clock) the tracker looks for requests to forget
 */
public record ThroughputSettings(Duration window, Duration grace, Duration retention, Duration forgetAfter,
                                 Duration sweepEvery) {
    public ThroughputSettings {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(forgetAfter, "forgetAfter");
        Objects.requireNonNull(sweepEvery, "sweepEvery");
        if (!window.isPositive() || grace.isNegative() || !forgetAfter.isPositive() || !sweepEvery.isPositive()) {
            throw new IllegalArgumentException("window, forgetAfter and sweepEvery must be positive and grace not "
                    + "negative, got window=" + window + " grace=" + grace + " forgetAfter=" + forgetAfter
                    + " sweepEvery=" + sweepEvery);
        }
        if (retention.compareTo(window.plus(grace)) < 0) {
            throw new IllegalArgumentException("retention (" + retention + ") must be at least window + grace ("
                    + window.plus(grace) + ")");
        }
    }

    /** One-minute windows, 10 s grace, kept 24 h; requests forgotten after 15 min quiet, checked every 10 s. */
    public static ThroughputSettings defaults() {
        return new ThroughputSettings(Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofHours(24),
                Duration.ofMinutes(15), Duration.ofSeconds(10));
    }
}
