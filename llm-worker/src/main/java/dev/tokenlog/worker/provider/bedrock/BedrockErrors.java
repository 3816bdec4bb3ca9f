package dev.tokenlog.worker.provider.bedrock;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.HttpErrors;
import dev.tokenlog.worker.provider.http.Secrets;
import java.io.CharConversionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.thirdparty.jackson.core.JsonProcessingException;

/**
 * Bedrock's vocabulary: stop reasons, and the exceptions of ConverseStream
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html#API_runtime_ConverseStream_Errors),
 * whether raised before the stream (HTTP error, {@code x-amzn-ErrorType}) or as an exception frame
 * on it ({@code :exception-type}). Known error types are mapped by this table, pinned by
 * {@code BedrockErrorsTest}; any other service error falls back to the shared status table.
 */
final class BedrockErrors {
    private static final Logger LOG = Logger.getLogger(BedrockErrors.class);
    private static final int MAX_MESSAGE = 400;

    /** Stable code and retryability of one Bedrock error type. */
    private record Kind(String code, boolean retryable) {}

    /** Keyed by the error type in lower case: headers say ThrottlingException, frames throttlingException. */
    private static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("throttlingexception", new Kind("RATE_LIMITED", true)),
            Map.entry("serviceunavailableexception", new Kind("PROVIDER_UNAVAILABLE", true)),
            Map.entry("internalserverexception", new Kind("PROVIDER_UNAVAILABLE", true)),
            Map.entry("modelstreamerrorexception", new Kind("PROVIDER_ERROR", true)),
            Map.entry("modeltimeoutexception", new Kind("PROVIDER_TIMEOUT", true)),
            Map.entry("modelnotreadyexception", new Kind("PROVIDER_UNAVAILABLE", true)),
            Map.entry("validationexception", new Kind("PROVIDER_BAD_REQUEST", false)),
            Map.entry("accessdeniedexception", new Kind("PROVIDER_AUTH", false)),
            Map.entry("unrecognizedclientexception", new Kind("PROVIDER_AUTH", false)),
            Map.entry("resourcenotfoundexception", new Kind("MODEL_NOT_FOUND", false)),
            Map.entry("servicequotaexceededexception", new Kind("PROVIDER_BAD_REQUEST", false)),
            Map.entry("modelerrorexception", new Kind("PROVIDER_ERROR", false)));

    private static final Map<String, FinishReason> STOP_REASONS = Map.of(
            "end_turn", FinishReason.STOP,
            "stop_sequence", FinishReason.STOP,
            "max_tokens", FinishReason.LENGTH,
            "model_context_window_exceeded", FinishReason.LENGTH,
            "tool_use", FinishReason.TOOL_CALLS,
            "guardrail_intervened", FinishReason.CONTENT_FILTER,
            "content_filtered", FinishReason.CONTENT_FILTER);

    private BedrockErrors() {}

    /** The normalised finish reason; unknown or missing ones are OTHER (the raw value is kept apart). */
    static FinishReason finishReason(String stopReason) {
        return stopReason == null ? FinishReason.OTHER : STOP_REASONS.getOrDefault(stopReason, FinishReason.OTHER);
    }

    /**
     * The provider error for a failure the SDK reported.
     *
     * @throws IOException for a transport failure after the request was sent (the runner treats it as
     *                     a broken connection)
     */
    static ProviderException from(String provider, Throwable failure, Secrets secrets) throws IOException {
        Throwable cause = unwrap(failure);
        if (cause instanceof ProviderException e) {
            return e;
        }
        if (cause instanceof AwsServiceException e) {
            return service(provider, e, secrets);
        }
        if (cause instanceof IllegalArgumentException && decoding(cause)) {
            return ProviderException.protocol(provider + " sent an event stream that cannot be decoded: " + cause.getMessage());
        }
        if (rootCause(cause) instanceof JsonProcessingException e) {
            // An event whose payload the SDK cannot parse: malformed output, not a broken connection.
            return ProviderException.protocol(provider + " sent an event that is not valid JSON: "
                    + truncate(secrets.scrub(String.valueOf(e.getOriginalMessage()))));
        }
        if (rootCause(cause) instanceof CharConversionException e) {
            // A payload in bytes the JSON parser cannot decode (e.g. that it takes for UTF-32): also malformed output.
            return ProviderException.protocol(provider + " sent an event that is not valid JSON: "
                    + truncate(secrets.scrub(String.valueOf(e.getMessage()))));
        }
        if (rootCause(cause) instanceof ConnectException) {
            LOG.warnf("cannot connect to %s: %s", provider, rootCause(cause).toString());
            return new ProviderException("CONNECT_ERROR", "cannot connect to " + provider
                    + " (the worker's log has the details)", true);
        }
        if (cause instanceof SdkClientException e && e.getMessage() != null
                && e.getMessage().startsWith("Unable to load credentials")) {
            return new ProviderException("PROVIDER_AUTH", provider + " has no AWS credentials: set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY, a profile or an instance role, or an api-key (Bedrock API key)", false);
        }
        throw new IOException(provider + " stream failed: " + secrets.scrub(String.valueOf(cause.getMessage())), cause);
    }

    private static ProviderException service(String provider, AwsServiceException e, Secrets secrets) {
        String type = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String detail = secrets.scrub(e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? "" : e.awsErrorDetails().errorMessage());
        SdkHttpResponse http = e.awsErrorDetails() == null ? null : e.awsErrorDetails().sdkHttpResponse();
        HttpHeaders headers = HttpHeaders.of(http == null ? Map.of() : http.headers(), (name, value) -> true);
        Kind kind = type == null ? null : KINDS.get(type.toLowerCase());
        if (kind == null) {
            // Not a documented type: the HTTP status decides, as for every HTTP provider.
            return HttpErrors.fromStatus(provider, e.statusCode(), headers, (type == null ? "" : type + ": ") + detail,
                    secrets);
        }
        String message = provider + " reported " + type + (e.statusCode() / 100 == 2 ? " mid-stream" : " (HTTP "
                + e.statusCode() + ")") + (detail.isEmpty() ? "" : ": " + truncate(detail))
                + ("PROVIDER_AUTH".equals(kind.code()) ? " (check the entry's credentials or api-key)" : "");
        Duration retryAfter = kind.retryable() ? HttpErrors.retryAfter(headers, Instant.now()).orElse(null) : null;
        return new ProviderException(kind.code(), message, kind.retryable(), retryAfter);
    }

    /** Whether the event-stream decoder (bad prelude or checksum) raised {@code e}, not request validation. */
    private static boolean decoding(Throwable e) {
        return e.getStackTrace().length > 0 && e.getStackTrace()[0].getClassName().startsWith("software.amazon.eventstream.");
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof java.util.concurrent.CompletionException
                || current instanceof java.util.concurrent.ExecutionException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable current = t;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }

    private static String truncate(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "…";
    }
}
