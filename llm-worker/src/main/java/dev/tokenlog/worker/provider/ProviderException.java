package dev.tokenlog.worker.provider;

/**
 * A provider call failed. {@code code} is the stable code written to the {@code Failed} chunk; the
 * message must say what went wrong without any secret (API keys, auth headers).
 */
public class ProviderException extends Exception {
    private final String code;
    private final boolean retryable;

    public ProviderException(String code, String message, boolean retryable) {
        super(message);
        this.code = code;
        this.retryable = retryable;
    }

    public String code() {
        return code;
    }

    /** Whether trying again (or the next route target) may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
