package dev.tokenlog.fanout.metrics;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Time-to-first-token samples of one window in logarithmic buckets, so a window's state stays small
 * however many requests it has: bucket {@code i} holds values in (1.05^(i-1), 1.05^i] ms, at most
 * {@value #MAX_BUCKET} + 1 buckets (up to ~1.4 days; longer values share the last bucket), stored
 * sparsely.
 *
 * <p>Accuracy: a percentile is the upper bound of the bucket holding the nearest-rank sample (rounded up
 * to 0.1 ms), capped at the exact maximum, so it is never below the true nearest-rank percentile and at most 5 % above
 * it. The maximum and the count are exact.
 *
 * @param count   samples recorded
 * @param maxMs   largest sample; 0 when none
 * @param buckets sample count by bucket index (only non-empty buckets)
 */
public record TtftHistogram(long count, long maxMs, SortedMap<Integer, Long> buckets) {
    /** Ratio between consecutive bucket bounds: the relative accuracy. */
    static final double GROWTH = 1.05;
    static final int MAX_BUCKET = 400;
    private static final double LOG_GROWTH = Math.log(GROWTH);

    public TtftHistogram {
        buckets = Collections.unmodifiableSortedMap(buckets == null ? new TreeMap<>() : new TreeMap<>(buckets));
    }

    static TtftHistogram empty() {
        return new TtftHistogram(0, 0, null);
    }

    TtftHistogram add(long ms) {
        long value = Math.max(0, ms);
        SortedMap<Integer, Long> next = new TreeMap<>(buckets);
        next.merge(bucketOf(value), 1L, Long::sum);
        return new TtftHistogram(count + 1, Math.max(maxMs, value), next);
    }

    /**
     * The nearest-rank percentile in ms (see the class comment for accuracy), or null without samples.
     *
     * @param percent 0 &lt; percent &le; 100
     */
    Double percentile(double percent) {
        if (count == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * count));
        long seen = 0;
        for (var bucket : buckets.entrySet()) {
            seen += bucket.getValue();
            if (seen >= rank) {
                return Math.min(Math.ceil(upperBound(bucket.getKey()) * 10) / 10, (double) maxMs);
            }
        }
        return (double) maxMs;
    }

    static int bucketOf(long ms) {
        if (ms <= 1) {
            return 0;
        }
        // The small epsilon keeps exact powers of GROWTH in their own bucket despite rounding.
        int index = (int) Math.ceil(Math.log(ms) / LOG_GROWTH - 1e-9);
        return Math.min(index, MAX_BUCKET);
    }

    static double upperBound(int bucket) {
        return Math.pow(GROWTH, bucket);
    }
}
