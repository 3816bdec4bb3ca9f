package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.worker.config.ProvidersConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Timeouts and retry pacing of one route target for one request: the provider entry's settings,
 * overridden per request by metadata {@code timeout.connect-ms}, {@code timeout.first-token-ms} and
 * {@code timeout.idle-ms}. {@code connect} is null when the request does not override the entry's.
 */
record TryPolicy(Duration connect, Duration firstToken, Duration idle, int maxRetries, Duration backoff, Duration backoffMax) {
    static final String CONNECT_KEY = "timeout.connect-ms";
    static final String FIRST_TOKEN_KEY = "timeout.first-token-ms";
    static final String IDLE_KEY = "timeout.idle-ms";

    /** Defaults when a target names no configured entry (it fails at once anyway). */
    static final TryPolicy NONE = new TryPolicy(null, Duration.ofMinutes(1), Duration.ofMinutes(1), 0, Duration.ZERO, Duration.ZERO);

    static TryPolicy of(ProvidersConfig.ProviderEntry entry, LlmRequest request) {
        Map<String, String> metadata = request.getMetadata();
        return new TryPolicy(
                millis(metadata, CONNECT_KEY, null),
                millis(metadata, FIRST_TOKEN_KEY, entry.firstTokenTimeout()),
                millis(metadata, IDLE_KEY, entry.idleTimeout()),
                entry.maxRetries(), entry.retryBackoff(), entry.retryBackoffMax());
    }

    /**
     * Wait before retry number {@code retry} (0-based): full-jitter exponential backoff, but never
     * less than what the provider asked for with Retry-After.
     */
    Duration delay(int retry, Duration retryAfter) {
        long capMillis = Math.min(backoffMax.toMillis(), backoff.toMillis() << Math.min(retry, 20));
        Duration jittered = Duration.ofMillis(capMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capMillis + 1));
        return retryAfter != null && retryAfter.compareTo(jittered) > 0 ? retryAfter : jittered;
    }

    private static Duration millis(Map<String, String> metadata, String key, Duration fallback) {
        String value = metadata.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            long ms = Long.parseLong(value.trim());
            return ms > 0 ? Duration.ofMillis(ms) : fallback;
        } catch (NumberFormatException e) {
            return fallback; // validated by the gateway; a bad value from another producer keeps the default
        }
    }
}
