package dev.tokenlog.worker.provider;

import java.time.Duration;
import java.util.Optional;

/**
 * A provider call failed. {@code code} is the stable code written to the {@code Failed} chunk; the
 * message must say what went wrong without any secret (API keys, auth headers).
 */
public class ProviderException extends Exception {
    private final String code;
    private final boolean retryable;
    private final Duration retryAfter;

    public ProviderException(String code, String message, boolean retryable) {
        this(code, message, retryable, null);
    }

    public ProviderException(String code, String message, boolean retryable, Duration retryAfter) {
        super(message);
        this.code = code;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** Malformed provider output: the attempt ends {@code Failed{code=PROVIDER_PROTOCOL}}. */
    public static ProviderException protocol(String message) {
        return new ProviderException("PROVIDER_PROTOCOL", message, false);
    }

    public String code() {
        return code;
    }

    /** Whether trying again (or the next route target) may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** How long the provider asked us to wait before retrying ({@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
