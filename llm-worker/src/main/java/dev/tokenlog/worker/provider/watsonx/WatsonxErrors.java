package dev.tokenlog.worker.provider.watsonx;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.Secrets;
import java.util.List;
import java.util.Map;

/**
 * watsonx.ai's in-band vocabulary: finish reasons of the chat stream and the error a 200 stream may
 * end with ({@code event: error}, data {@code {"errors":[{code, message}], "status_code"}}). HTTP
 * statuses before the stream are mapped by the shared {@code HttpErrors}.
 */
final class WatsonxErrors {
    private static final Map<String, FinishReason> FINISH_REASONS = Map.of(
            "stop", FinishReason.STOP,
            "length", FinishReason.LENGTH,
            "tool_calls", FinishReason.TOOL_CALLS,
            "content_filter", FinishReason.CONTENT_FILTER);

    private WatsonxErrors() {}

    /**
     * The normalised finish reason; {@code stop} after tool calls is TOOL_CALLS (some models on watsonx
     * report stop when a tool call was required); unknown ones such as {@code time_limit} are OTHER.
     */
    static FinishReason finishReason(String raw, boolean sawToolCalls) {
        FinishReason reason = FINISH_REASONS.getOrDefault(raw, FinishReason.OTHER);
        return reason == FinishReason.STOP && sawToolCalls ? FinishReason.TOOL_CALLS : reason;
    }

    /**
     * The exception for an error on the stream: retryable when its status says the service (429,
     * 5xx), not the request, failed.
     */
    static ProviderException inBand(String provider, List<WatsonxWire.Error> errors, Integer status, Secrets secrets) {
        WatsonxWire.Error first = errors == null || errors.isEmpty() ? null : errors.get(0);
        String code = first == null || first.code() == null ? "unknown_error" : first.code();
        String detail = first == null || first.message() == null ? "" : ": " + secrets.scrub(first.message());
        String message = provider + " reported " + code + (status == null ? "" : " (status " + status + ")")
                + " mid-stream" + detail;
        if (status != null && status == 429) {
            return new ProviderException("RATE_LIMITED", message, true);
        }
        boolean serviceSide = status == null || status >= 500;
        return new ProviderException(serviceSide ? "PROVIDER_UNAVAILABLE" : "PROVIDER_ERROR", message, serviceSide);
    }
}
