package dev.tokenlog.fanout.metrics;

import dev.tokenlog.avro.ThroughputWindow;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The running totals of one provider+model over one window, as kept in
 * {@link ThroughputWindows#WINDOW_STORE}. Bounded in size: counters, one entry per failure code and
 * the TTFT histogram's buckets.
 *
 * @param started      attempts started (their Started was produced in the window)
 * @param completed    attempts that ended Completed in the window
 * @param failed       attempts that ended Failed in the window
 * @param cancelled    attempts that ended Cancelled in the window
 * @param failedByCode failed attempts by Failed code
 * @param outputTokens output tokens of the attempts that ended in the window
 * @param ttft         time to first token of the first output chunks produced in the window
 */
public record WindowAggregate(long started, long completed, long failed, long cancelled,
                              SortedMap<String, Long> failedByCode, long outputTokens, TtftHistogram ttft) {

    public WindowAggregate {
        failedByCode = Collections.unmodifiableSortedMap(
                failedByCode == null ? new TreeMap<>() : new TreeMap<>(failedByCode));
        ttft = ttft == null ? TtftHistogram.empty() : ttft;
    }

    static WindowAggregate empty() {
        return new WindowAggregate(0, 0, 0, 0, null, 0, null);
    }

    /** This window with one more event counted. */
    WindowAggregate add(AttemptEvent event) {
        return switch (event) {
            case AttemptEvent.Started s ->
                    new WindowAggregate(started + 1, completed, failed, cancelled, failedByCode, outputTokens, ttft);
            case AttemptEvent.FirstToken f ->
                    new WindowAggregate(started, completed, failed, cancelled, failedByCode, outputTokens,
                            ttft.add(f.ttftMs()));
            case AttemptEvent.Ended e -> ended(e);
        };
    }

    private WindowAggregate ended(AttemptEvent.Ended e) {
        long tokens = outputTokens + e.outputTokens();
        return switch (e.outcome()) {
            case COMPLETED -> new WindowAggregate(started, completed + 1, failed, cancelled, failedByCode, tokens, ttft);
            case CANCELLED -> new WindowAggregate(started, completed, failed, cancelled + 1, failedByCode, tokens, ttft);
            case FAILED -> {
                SortedMap<String, Long> byCode = new TreeMap<>(failedByCode);
                byCode.merge(e.code() == null ? "UNKNOWN" : e.code(), 1L, Long::sum);
                yield new WindowAggregate(started, completed, failed + 1, cancelled, byCode, tokens, ttft);
            }
        };
    }

    /** The record written to {@code llm.metrics} (and served by the metrics endpoint) for this window. */
    public ThroughputWindow toAvro(ModelKey key, Instant windowStart, Instant windowEnd) {
        double seconds = (windowEnd.toEpochMilli() - windowStart.toEpochMilli()) / 1000.0;
        return ThroughputWindow.newBuilder()
                .setProvider(key.provider())
                .setModel(key.model())
                .setWindowStart(windowStart)
                .setWindowEnd(windowEnd)
                .setRequestsStarted(started)
                .setRequestsCompleted(completed)
                .setRequestsFailed(failed)
                .setRequestsCancelled(cancelled)
                .setFailedByCode(Map.copyOf(failedByCode))
                .setOutputTokens(outputTokens)
                .setTokensPerSecond(seconds > 0 ? outputTokens / seconds : 0)
                .setTtftSamples(ttft.count())
                .setTtftP50Ms(ttft.percentile(50))
                .setTtftP95Ms(ttft.percentile(95))
                .setTtftMaxMs(ttft.count() == 0 ? null : (double) ttft.maxMs())
                .build();
    }
}
