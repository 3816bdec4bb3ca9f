package dev.tokenlog.fanout.openai;

import dev.tokenlog.fanout.api.ApiException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gateway errors in OpenAI's shape: {@code {"error":{"message","type","param","code"}}}, with
 * {@code code} the gateway's stable code ({@code invalid_request}, {@code model_not_found},
 * {@code request_too_large}, {@code kafka_unavailable}, …) and the HTTP status of the
 * {@link ApiException}.
 */
public final class OpenAiErrors {
    /**
     * The JSON path a validation message starts with ({@code messages[0].content[1].image_url.url is …}):
     * the gateway's validators name the offending field first, and OpenAI reports it as {@code param}.
     */
    private static final Pattern LEADING_PATH = Pattern.compile("^(([a-z_]+)(?:\\[\\d+])*(?:\\.[a-z_]+(?:\\[\\d+])*)*) ");
    /** Top-level fields of a Chat Completions body: only a path starting with one of them is a param. */
    private static final Set<String> FIELDS = Set.of("model", "fallbacks", "messages", "max_tokens",
            "max_completion_tokens", "temperature", "top_p", "stop", "tools", "tool_choice", "metadata", "deadline_ms",
            "n", "logprobs", "top_logprobs", "response_format", "stream", "stream_options", "modalities", "audio");

    private OpenAiErrors() {}

    /** The error body for {@code e}. */
    public static Map<String, Object> body(ApiException e) {
        return body(e, paramOf(e.getMessage()));
    }

    /** The error body for {@code e}, naming {@code param} as the offending field (may be null). */
    public static Map<String, Object> body(ApiException e, String param) {
        return OpenAiWire.error(e.getMessage(), typeOf(e.status()), param, e.code());
    }

    /** OpenAI's error type for an HTTP status. */
    static String typeOf(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /** The field a validation message names first, or null when it names none. */
    static String paramOf(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = LEADING_PATH.matcher(message);
        return m.find() && FIELDS.contains(m.group(2)) ? m.group(1) : null;
    }
}
