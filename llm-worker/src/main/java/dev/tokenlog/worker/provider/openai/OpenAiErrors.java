package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one place an error reported inside a 200 stream of the OpenAI family becomes a
 * {@link ProviderException} (HTTP statuses before the stream are {@code HttpErrors}' job). Chat
 * Completions sends {@code data: {"error":{message,type,code}}}; vLLM nests it once more
 * ({@code {"error":{"error":{...}}}} in recent versions); the Responses API sends an {@code error}
 * event with the fields at top level or under {@code error}, and {@code response.failed} carries
 * {@code response.error{code,message}}. Retryable are server-side and capacity errors only; pinned
 * by {@code OpenAiErrorsTest}.
 */
final class OpenAiErrors {
    static final String CODE = "PROVIDER_ERROR";

    private static final Set<String> RETRYABLE = Set.of("server_error", "internal_error", "internal_server_error",
            "overloaded", "overloaded_error", "service_unavailable", "engine_overloaded", "timeout",
            "rate_limit_exceeded", "rate_limit_error", "too_many_requests");

    private OpenAiErrors() {}

    /**
     * The error for {@code error}: an error object, a bare message string, or something that holds
     * either under {@code error} (at any depth).
     */
    static ProviderException inBand(String provider, JsonNode error) {
        JsonNode node = error;
        while (node.path("error").isObject() || node.path("error").isTextual()) {
            node = node.path("error");
        }
        String message = node.isTextual() ? node.asText() : Json.text(node.path("message"));
        String type = Json.text(node.path("type"));
        JsonNode code = node.path("code");
        String codeText = code.isValueNode() && !code.isNull() ? code.asText() : null;
        String detail = Stream.of(type == null ? null : "type " + type, codeText == null ? null : "code " + codeText)
                .filter(Objects::nonNull).collect(Collectors.joining(", "));
        String text = provider + " reported an error in the stream: "
                + (message == null || message.isBlank() ? "(no message)" : message)
                + (detail.isEmpty() ? "" : " (" + detail + ")");
        return new ProviderException(CODE, text, retryable(type, codeText));
    }

    /** A finish reason that reports a failure (Mistral's {@code finish_reason: "error"}). */
    static ProviderException finishedWithError(String provider, String raw) {
        return new ProviderException(CODE, provider + " ended the answer with finish_reason '" + raw
                + "' (a failure on the provider's side)", true);
    }

    static boolean retryable(String type, String code) {
        if (type != null && RETRYABLE.contains(type.toLowerCase(Locale.ROOT))) {
            return true;
        }
        if (code == null) {
            return false;
        }
        if (code.matches("\\d{3}")) {
            int status = Integer.parseInt(code);
            return status == 429 || status >= 500;
        }
        return RETRYABLE.contains(code.toLowerCase(Locale.ROOT));
    }
}
