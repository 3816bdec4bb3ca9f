package dev.tokenlog.worker.provider.gemini;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.Secrets;
import java.util.Map;
import java.util.Set;

/**
 * Gemini's in-band vocabulary: finish reasons (https://ai.google.dev/api/generate-content#FinishReason)
 * and the canonical status of a mid-stream {@code {"error":{code,status,message}}}
 * (https://ai.google.dev/gemini-api/docs/troubleshooting). HTTP statuses before the stream are mapped
 * by the shared {@code HttpErrors}.
 */
final class GeminiErrors {
    /** Statuses that describe Google's state, not the request: trying again may succeed. */
    private static final Set<String> RETRYABLE = Set.of("UNAVAILABLE", "RESOURCE_EXHAUSTED", "INTERNAL",
            "DEADLINE_EXCEEDED");

    private static final Map<String, FinishReason> FINISH_REASONS = Map.of(
            "STOP", FinishReason.STOP,
            "MAX_TOKENS", FinishReason.LENGTH,
            "SAFETY", FinishReason.CONTENT_FILTER,
            "RECITATION", FinishReason.CONTENT_FILTER,
            "BLOCKLIST", FinishReason.CONTENT_FILTER,
            "PROHIBITED_CONTENT", FinishReason.CONTENT_FILTER,
            "SPII", FinishReason.CONTENT_FILTER,
            "IMAGE_SAFETY", FinishReason.CONTENT_FILTER);

    private GeminiErrors() {}

    /**
     * The normalised finish reason. STOP after a functionCall means the model wants the tools run;
     * MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER and unknown values are OTHER (the raw value is kept).
     */
    static FinishReason finishReason(String raw, boolean sawFunctionCall) {
        FinishReason reason = FINISH_REASONS.getOrDefault(raw, FinishReason.OTHER);
        return reason == FinishReason.STOP && sawFunctionCall ? FinishReason.TOOL_CALLS : reason;
    }

    /** The exception for an error object on the 200 stream. */
    static ProviderException inBand(String provider, GeminiWire.Error error, Secrets secrets) {
        String status = error.status() == null ? "UNKNOWN" : error.status();
        String code = error.code() == null ? "" : " " + error.code();
        String detail = error.message() == null ? "" : ": " + secrets.scrub(error.message());
        return new ProviderException("PROVIDER_ERROR",
                provider + " reported" + code + " " + status + " mid-stream" + detail, RETRYABLE.contains(status));
    }
}
