package dev.tokenlog.bench;

import java.util.Arrays;

/**
 * A growable list of latency samples in microseconds and its percentiles (nearest-rank). One instance
 * per reader thread, merged at the end, so recording takes no lock on the hot path.
 */
public final class Latencies {
    private long[] samples = new long[256];
    private int size;
    private long chunks;

    public void add(long micros) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = micros;
    }

    /** Counts one delta event received (several tokens when the worker merged them). */
    public void chunk() {
        chunks++;
    }

    /** Delta events received. */
    public long chunks() {
        return chunks;
    }

    public synchronized void addAll(Latencies other) {
        chunks += other.chunks;
        for (int i = 0; i < other.size; i++) {
            add(other.samples[i]);
        }
    }

    public int count() {
        return size;
    }

    /**
     * Nearest-rank percentile: the smallest sample such that at least {@code p} percent of the samples
     * are at or below it. {@code NaN} without samples.
     */
    public double percentileMicros(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size, rank) - 1)];
    }

    /** {@link #percentileMicros} in milliseconds. */
    public double percentileMs(double p) {
        return percentileMicros(p) / 1000.0;
    }
}
