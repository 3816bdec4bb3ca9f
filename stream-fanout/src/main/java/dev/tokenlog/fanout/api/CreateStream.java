package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/streams}. {@code model} is {@code <provider>/<model>}; {@code fallbacks}
 * lists further targets in the same form, tried in order when a target fails before any output.
 * {@code tools} are the functions the model may call, in OpenAI's shape.
 */
public record CreateStream(
        String model,
        List<String> fallbacks,
        List<ChatMessage> messages,
        @JsonProperty("max_tokens") Integer maxTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        List<String> stop,
        Map<String, String> metadata,
        @JsonProperty("deadline_ms") Long deadlineMs,
        List<Tool> tools) {

    /**
     * One conversation message, OpenAI style. {@code content} is a string, or an array of parts
     * {@code {"type":"text","text":…}} and {@code {"type":"image_url","image_url":{"url":…}}} (the
     * url http(s) or a base64 {@code data:} URL, plus an optional {@code media_type}, a tokenlog
     * extension for http(s) images); it may be null on an assistant message with {@code tool_calls}.
     */
    public record ChatMessage(String role, JsonNode content, String name,
                              @JsonProperty("tool_call_id") String toolCallId,
                              @JsonProperty("tool_calls") List<ToolCall> toolCalls) {}

    /** A call an assistant made: {@code {"id","type":"function","function":{"name","arguments"}}}. */
    public record ToolCall(String id, String type, Function function) {}

    /** {@code arguments} is JSON text as OpenAI sends it; a JSON object is accepted too. */
    public record Function(String name, JsonNode arguments) {}

    /** A function the model may call: {@code {"type":"function","function":{"name","description","parameters"}}}. */
    public record Tool(String type, FunctionDefinition function) {}

    /** {@code parameters} is the JSON Schema of the arguments, an object; absent means no arguments. */
    public record FunctionDefinition(String name, String description, JsonNode parameters) {}
}
