package dev.tokenlog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesAreNearestRank() {
        Latencies l = new Latencies();
        for (int i = 100; i >= 1; i--) {
            l.add(i * 1000L);
        }
        assertThat(l.percentileMs(50)).isEqualTo(50.0);
        assertThat(l.percentileMs(99)).isEqualTo(99.0);
        assertThat(l.percentileMs(100)).isEqualTo(100.0);
        assertThat(l.percentileMicros(1)).isEqualTo(1000.0);
    }

    @Test
    void noSamplesIsNotANumber() {
        assertThat(new Latencies().percentileMs(50)).isNaN();
    }

    @Test
    void mergedSamplesCountOnce() {
        Latencies a = new Latencies();
        Latencies b = new Latencies();
        for (int i = 0; i < 1000; i++) {
            b.add(i);
        }
        a.add(5);
        a.addAll(b);
        assertThat(a.count()).isEqualTo(1001);
    }

    @Test
    void emitTimesAreEveryLongDigitRunOfATokenText() {
        List<Long> found = new ArrayList<>();
        Micros.emitTimes("1764688000123456 1764688000123999 ", found::add);
        Micros.emitTimes("{\"text\":\"1764688000000001 \"}", found::add);
        Micros.emitTimes("usage 100 tokens, created 1764688000", found::add);
        assertThat(found).containsExactly(1764688000123456L, 1764688000123999L, 1764688000000001L);
    }
}
