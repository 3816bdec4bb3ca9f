package dev.tokenlog.worker.provider.anthropic;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.Secrets;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic's in-band vocabulary: stop reasons and the error types of an {@code event: error} on a
 * 200 stream (https://docs.anthropic.com/en/api/errors, .../handling-stop-reasons). HTTP statuses
 * before the stream are mapped by the shared {@code HttpErrors}.
 */
final class AnthropicErrors {
    /** Error types that describe Anthropic's state, not the request: trying again may succeed. */
    private static final Set<String> RETRYABLE = Set.of("overloaded_error", "api_error", "rate_limit_error",
            "timeout_error");

    private static final Map<String, FinishReason> STOP_REASONS = Map.of(
            "end_turn", FinishReason.STOP,
            "stop_sequence", FinishReason.STOP,
            "max_tokens", FinishReason.LENGTH,
            "model_context_window_exceeded", FinishReason.LENGTH,
            "tool_use", FinishReason.TOOL_CALLS,
            "refusal", FinishReason.CONTENT_FILTER,
            "pause_turn", FinishReason.OTHER);

    private AnthropicErrors() {}

    /** The normalised finish reason; unknown or missing ones are OTHER (the raw value is kept apart). */
    static FinishReason finishReason(String stopReason) {
        return stopReason == null ? FinishReason.OTHER : STOP_REASONS.getOrDefault(stopReason, FinishReason.OTHER);
    }

    /** The exception for an in-band {@code error} event. */
    static ProviderException inBand(String provider, AnthropicWire.Error error, Secrets secrets) {
        String type = error == null || error.type() == null ? "unknown_error" : error.type();
        String detail = error == null || error.message() == null ? "" : ": " + secrets.scrub(error.message());
        return new ProviderException("PROVIDER_ERROR",
                provider + " reported " + type + " mid-stream" + detail, RETRYABLE.contains(type));
    }
}
