package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/streams}. {@code model} is {@code <provider>/<model>}; {@code fallbacks}
 * lists further targets in the same form, tried in order when a target fails before any output.
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
        @JsonProperty("deadline_ms") Long deadlineMs) {

    /** One conversation message. */
    public record ChatMessage(String role, String content, String name,
                              @JsonProperty("tool_call_id") String toolCallId) {}
}
