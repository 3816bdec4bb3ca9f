package dev.tokenlog.worker.provider.ollama;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.Secrets;

/**
 * Ollama's in-band vocabulary: {@code done_reason} of the final line and the {@code {"error": "…"}}
 * line of a stream that fails after HTTP 200 (https://github.com/ollama/ollama/blob/main/docs/api.md).
 * HTTP statuses before the stream are mapped by the shared {@code HttpErrors}.
 */
final class OllamaErrors {

    private OllamaErrors() {}

    /**
     * stop (or no reason, as versions before done_reason sent) is STOP, or TOOL_CALLS when the model
     * called tools; length is LENGTH; load, unload and anything else are OTHER (raw value kept).
     */
    static FinishReason finishReason(String doneReason, boolean sawToolCalls) {
        if (doneReason == null || "stop".equals(doneReason)) {
            return sawToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
        }
        return "length".equals(doneReason) ? FinishReason.LENGTH : FinishReason.OTHER;
    }

    /**
     * The exception for an error line. Ollama gives only a message (out of memory, model failed to
     * load, runner crashed), nothing that says a retry would help, so it is not retryable.
     */
    static ProviderException inBand(String provider, String message, Secrets secrets) {
        return new ProviderException("PROVIDER_ERROR", provider + " reported an error mid-stream: "
                + secrets.scrub(message), false);
    }
}
