package dev.tokenlog.worker.provider.watsonx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.List;

/**
 * Wire shapes of watsonx.ai chat (https://cloud.ibm.com/apidocs/watsonx-ai#text-chat-stream) and of
 * the IAM token endpoint (https://cloud.ibm.com/apidocs/iam-identity-token-api#gettoken-apikey),
 * snake_case on the wire. Only the fields the adapter uses are declared; unknown ones are ignored.
 */
final class WatsonxWire {
    static final ObjectMapper JSON = WireJson.snakeCaseMapper();

    private WatsonxWire() {}

    // ---- request ----

    record Request(String modelId, String projectId, String spaceId, List<Message> messages, Integer maxTokens,
                   Double temperature, Double topP, List<String> stop, List<Tool> tools) {}

    /** {@code content} is a string, or for user messages a list of {@link TextPart}s and {@link ImagePart}s. */
    record Message(String role, Object content, String toolCallId) {}

    record TextPart(String type, String text) {
        TextPart(String text) {
            this("text", text);
        }
    }

    /** An image for vision models: watsonx.ai takes it as a base64 {@code data:} URL. */
    record ImagePart(String type, ImageUrl imageUrl) {
        ImagePart(String dataUrl) {
            this("image_url", new ImageUrl(dataUrl));
        }
    }

    record ImageUrl(String url) {}

    record Tool(String type, Function function) {
        Tool(Function function) {
            this("function", function);
        }
    }

    record Function(String name, String description, JsonNode parameters) {}

    // ---- stream ----

    /** One {@code data:} payload; a trailing one carries only usage, with no choices. */
    record Chunk(List<Choice> choices, Usage usage, List<Error> errors, Integer statusCode) {}

    record Choice(Integer index, Delta delta, String finishReason) {}

    record Delta(String content, String reasoningContent, List<ToolCall> toolCalls) {}

    record ToolCall(Integer index, String id, FunctionCall function) {}

    record FunctionCall(String name, String arguments) {}

    record Usage(Long promptTokens, Long completionTokens) {}

    /** Errors answer {@code {"errors":[{code, message}], "trace", "status_code"}}. */
    record Error(String code, String message) {}

    // ---- IAM ----

    /** {@code expiration} is epoch seconds; {@code expires_in} seconds from now. */
    record Token(String accessToken, Long expiresIn, Long expiration) {}
}
