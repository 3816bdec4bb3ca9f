package dev.tokenlog.worker.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.List;

/**
 * Wire shapes of the Messages API (https://docs.anthropic.com/en/api/messages and
 * .../messages-streaming), snake_case on the wire. Only the fields the adapter uses are declared;
 * unknown fields are ignored because Anthropic adds new ones over time.
 */
final class AnthropicWire {
    static final ObjectMapper JSON = WireJson.snakeCaseMapper();

    private AnthropicWire() {}

    // ---- request ----

    record Request(String model, int maxTokens, String system, List<Message> messages, Double temperature,
                   Double topP, List<String> stopSequences, List<Tool> tools, Thinking thinking, boolean stream) {}

    /**
     * {@code content} is a string, or a list of blocks: {@link TextBlock}, {@link ImageBlock} and
     * {@link ToolUse} for user and assistant turns, {@link ToolResult} for tool answers.
     */
    record Message(String role, Object content) {}

    record TextBlock(String type, String text) {
        TextBlock(String text) {
            this("text", text);
        }
    }

    record ImageBlock(String type, ImageSource source) {
        ImageBlock(ImageSource source) {
            this("image", source);
        }
    }

    /** {@code {type: base64, media_type, data}} or {@code {type: url, url}}. */
    record ImageSource(String type, String mediaType, String data, String url) {
        static ImageSource base64(String mediaType, String data) {
            return new ImageSource("base64", mediaType, data, null);
        }

        static ImageSource url(String url) {
            return new ImageSource("url", null, null, url);
        }
    }

    /** An earlier call of the assistant; {@code input} is the arguments object. */
    record ToolUse(String type, String id, String name, JsonNode input) {
        ToolUse(String id, String name, JsonNode input) {
            this("tool_use", id, name, input);
        }
    }

    record ToolResult(String type, String toolUseId, String content) {
        ToolResult(String toolUseId, String content) {
            this("tool_result", toolUseId, content);
        }
    }

    record Tool(String name, String description, JsonNode inputSchema) {}

    record Thinking(String type, int budgetTokens) {}

    // ---- stream ----

    /** One {@code data:} payload; which fields are set depends on {@code type}. */
    record Event(String type, MessageStart message, Integer index, Block contentBlock, Delta delta, Usage usage,
                 Error error) {}

    record MessageStart(Usage usage) {}

    record Block(String type, String id, String name, JsonNode input, String text, String thinking) {}

    record Delta(String type, String text, String thinking, String partialJson, String stopReason) {}

    /** All counts optional: {@code message_delta} may carry only {@code output_tokens}. */
    record Usage(Long inputTokens, Long outputTokens, Long cacheReadInputTokens, Long cacheCreationInputTokens) {}

    record Error(String type, String message) {}
}
