package dev.tokenlog.bench;

import java.time.Instant;

/**
 * Wall-clock time in epoch microseconds. The mock provider writes it into every token and the
 * clients subtract it from their receive time; both run in this JVM on one machine, so the clocks agree.
 */
final class Micros {
    private Micros() {
    }

    static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    /**
     * Emit times found in a token text: every run of at least 15 digits (epoch microseconds have 16).
     * A chunk may carry several tokens when the worker coalesces them, so all are returned.
     */
    static void emitTimes(String text, java.util.function.LongConsumer out) {
        int n = text.length();
        for (int i = 0; i < n; ) {
            if (!Character.isDigit(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            long value = 0;
            while (i < n && Character.isDigit(text.charAt(i))) {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            if (i - start >= 15 && i - start <= 18) {
                out.accept(value);
            }
        }
    }
}
