package dev.tokenlog.fanout.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The TTFT histogram's stated accuracy: never below the true nearest-rank percentile, at most 5 % above. */
class TtftHistogramTest {

    @Test
    void percentilesAreWithinFivePercentAboveTheTrueValue() {
        Random random = new Random(42);
        for (int run = 0; run < 50; run++) {
            long[] samples = random.longs(1 + random.nextInt(2000), 0, 120_000).toArray();
            TtftHistogram histogram = TtftHistogram.empty();
            for (long s : samples) {
                histogram = histogram.add(s);
            }
            Arrays.sort(samples);
            for (double p : new double[] {50, 95, 99, 100}) {
                long exact = samples[(int) Math.max(0, Math.ceil(p / 100 * samples.length) - 1)];
                assertThat(histogram.percentile(p)).as("p%s of %d samples", p, samples.length)
                        .isBetween((double) exact, Math.max(exact * TtftHistogram.GROWTH, exact + 0.1));
            }
            assertThat(histogram.maxMs()).isEqualTo(samples[samples.length - 1]);
            assertThat(histogram.count()).isEqualTo(samples.length);
        }
    }

    @Test
    void sizeIsBoundedByTheBucketCountNotTheSampleCount() {
        TtftHistogram histogram = TtftHistogram.empty();
        for (long ms = 0; ms < 200_000; ms += 3) {
            histogram = histogram.add(ms);
        }
        assertThat(histogram.buckets().size()).isLessThanOrEqualTo(TtftHistogram.MAX_BUCKET + 1);
        assertThat(histogram.add(Long.MAX_VALUE).maxMs()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void emptyHasNoPercentilesAndNegativeClockSkewCountsAsZero() {
        assertThat(TtftHistogram.empty().percentile(50)).isNull();
        TtftHistogram skewed = TtftHistogram.empty().add(-40);
        assertThat(skewed.percentile(50)).isZero();
        assertThat(skewed.maxMs()).isZero();
    }
}
