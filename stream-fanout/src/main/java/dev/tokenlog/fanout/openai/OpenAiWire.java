package dev.tokenlog.fanout.openai;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.schemas.RequestIds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pieces of OpenAI's Chat Completions format that the streamed chunks and the non-streamed
 * completion share: ids, finish reasons, usage, and the error object.
 */
public final class OpenAiWire {
    private OpenAiWire() {}

    /** {@code chatcmpl-<stream id>}: the same id in every chunk, on every resume, and in the completion. */
    public static String completionId(String streamId) {
        return "chatcmpl-" + streamId;
    }

    /** Epoch seconds of the request's creation (its UUIDv7 time), so it never changes across resumes. */
    public static long created(String streamId) {
        return RequestIds.timestampOf(streamId).getEpochSecond();
    }

    /** {@code <provider>/<model>} as the request names a target; null when the provider or model is unknown. */
    public static String model(String provider, String model) {
        return provider == null || model == null ? null : provider + "/" + model;
    }

    /** OpenAI's finish reason; {@code OTHER} (a provider-specific reason) reads as {@code stop}. */
    public static String finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            case STOP, OTHER -> "stop";
            case null -> "stop";
        };
    }

    /** OpenAI's {@code usage} object, with the cached-input and reasoning-output details. */
    public static Map<String, Object> usage(Usage usage) {
        return ordered(
                "prompt_tokens", usage.getInput(),
                "completion_tokens", usage.getOutput(),
                "total_tokens", usage.getInput() + usage.getOutput(),
                "prompt_tokens_details", Map.of("cached_tokens", usage.getCached()),
                "completion_tokens_details", Map.of("reasoning_tokens", usage.getReasoning()));
    }

    /** OpenAI's error body {@code {"error":{"message","type","param","code"}}}. */
    public static Map<String, Object> error(String message, String type, String param, String code) {
        return Map.of("error", ordered("message", message, "type", type, "param", param, "code", code));
    }

    /**
     * How a failed request reads in OpenAI's terms, from the worker's failure code (the
     * {@code Failed.code} of the last attempt): the provider refused the request (400), does not
     * know the model or provider entry (404), rate-limited it after the worker's retries (429), or
     * anything else went wrong upstream (502).
     */
    public static Failure failure(String code) {
        return switch (code == null ? "" : code) {
            case "INVALID_REQUEST", "PROVIDER_BAD_REQUEST" -> new Failure(400, "invalid_request_error");
            case "MODEL_NOT_FOUND", "PROVIDER_NOT_FOUND" -> new Failure(404, "invalid_request_error");
            case "RATE_LIMITED", "RESOURCE_EXHAUSTED" -> new Failure(429, "rate_limit_error");
            default -> new Failure(502, "server_error");
        };
    }

    /** The HTTP status and OpenAI error type of a failure. */
    public record Failure(int status, String type) {}

    /** A JSON object with its keys in the given order; values may be null. */
    public static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
