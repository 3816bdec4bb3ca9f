package dev.tokenlog.worker.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Extracts the human message from a provider's error body, whatever its shape: OpenAI and Anthropic
 * {@code {"error":{"message"}}}, Gemini {@code [{"error":{...}}]}, Ollama {@code {"error":"…"}},
 * Bedrock/watsonx {@code {"message"}} or {@code {"errors":[{"message"}]}}; otherwise the body text
 * (an HTML error page is reduced to a note, not pasted into the message).
 */
public final class ErrorBodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBodies() {}

    public static String message(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String trimmed = body.strip();
        if (trimmed.startsWith("<")) {
            return "(an HTML page instead of an API response)";
        }
        try {
            JsonNode node = JSON.readTree(trimmed);
            if (node.isArray() && !node.isEmpty()) {
                node = node.get(0);
            }
            JsonNode error = node.path("error");
            if (error.isTextual()) {
                return error.asText();
            }
            for (JsonNode candidate : new JsonNode[] {error.path("message"), node.path("message"),
                    node.path("errors").path(0).path("message"), node.path("detail")}) {
                if (candidate.isTextual()) {
                    return candidate.asText();
                }
            }
        } catch (Exception notJson) {
            // plain text body
        }
        return trimmed.replaceAll("\\s+", " ");
    }
}
