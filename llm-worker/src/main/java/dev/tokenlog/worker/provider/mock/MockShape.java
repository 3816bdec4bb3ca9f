package dev.tokenlog.worker.provider.mock;

import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.Map;

/** Pacing of one mock stream: config defaults overridden by request metadata {@code mock.*}. */
record MockShape(double tps, long ttftMs, int failAfter) {

    static MockShape of(ProvidersConfig.Mock defaults, Map<String, String> metadata) throws ProviderException {
        return new MockShape(
                number(metadata, "mock.tps", defaults.tps()),
                (long) number(metadata, "mock.ttft-ms", defaults.ttftMs()),
                (int) number(metadata, "mock.fail-after", defaults.failAfter()));
    }

    /** Time of token {@code i} after the stream started: first-token delay, then one token per 1/tps. */
    long offsetNanos(int i) {
        long paced = tps > 0 ? (long) (i * 1_000_000_000L / tps) : 0;
        return ttftMs * 1_000_000L + paced;
    }

    private static double number(Map<String, String> metadata, String key, double fallback) throws ProviderException {
        String value = metadata.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new ProviderException("INVALID_REQUEST",
                    "metadata '" + key + "' must be a number, got '" + value + "'", false);
        }
    }
}
