package dev.tokenlog.worker.provider.http;

import dev.tokenlog.worker.provider.ProviderException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one place an HTTP status becomes a {@link ProviderException}: code and retryability by status
 * (pinned by {@code HttpErrorsTest}), the provider's own message from the body, and the wait the
 * provider asked for ({@code retry-after-ms}, {@code retry-after} in seconds or as an HTTP date).
 */
public final class HttpErrors {
    private static final int MAX_MESSAGE = 400;

    private HttpErrors() {}

    /** The error for a non-2xx response; {@code body} is the (possibly truncated) response body. */
    public static ProviderException fromStatus(String provider, int status, HttpHeaders headers, String body, Secrets secrets) {
        String detail = secrets.scrub(ErrorBodies.message(body));
        String message = "HTTP " + status + " from " + provider + (detail.isEmpty() ? "" : ": " + truncate(detail));
        Duration retryAfter = retryAfter(headers, Instant.now()).orElse(null);
        return switch (status) {
            case 400, 413, 422 -> new ProviderException("PROVIDER_BAD_REQUEST", message, false);
            case 401, 403 -> new ProviderException("PROVIDER_AUTH", message + " (check the provider entry's api-key)", false);
            case 404 -> new ProviderException("MODEL_NOT_FOUND", message, false);
            case 408 -> new ProviderException("PROVIDER_TIMEOUT", message, true, retryAfter);
            case 409 -> new ProviderException("PROVIDER_CONFLICT", message, true, retryAfter);
            case 429 -> new ProviderException("RATE_LIMITED", message, true, retryAfter);
            default -> status >= 500
                    ? new ProviderException("PROVIDER_UNAVAILABLE", message, true, retryAfter)
                    : new ProviderException("PROVIDER_ERROR", message, false);
        };
    }

    /** The wait a response asks for: {@code retry-after-ms}, else {@code retry-after} (seconds or HTTP date). */
    public static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                return Optional.of(Duration.ofMillis(Math.max(0, (long) Double.parseDouble(ms.get().trim()))));
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        return headers.firstValue("retry-after").flatMap(value -> parseRetryAfter(value.trim(), now));
    }

    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        try {
            return Optional.of(Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(value) * 1000))));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static String truncate(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "…";
    }
}
