package dev.tokenlog.worker.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Builds the Messages API request body from a provider call. */
final class AnthropicRequests {
    /** Anthropic requires {@code max_tokens}; used when the request sets none. */
    static final int DEFAULT_MAX_TOKENS = 1024;

    private AnthropicRequests() {}

    /**
     * @param thinkingBudget {@code budget_tokens} of extended thinking, if enabled; the API requires it
     *                       to be below {@code max_tokens}, so the default max then grows by the budget
     */
    static String body(ProviderCall call, OptionalInt thinkingBudget) throws ProviderException {
        GenerationParams params = call.request().getParams();
        int fallbackMax = DEFAULT_MAX_TOKENS + thinkingBudget.orElse(0);
        AnthropicWire.Request request = new AnthropicWire.Request(
                call.model(),
                params.getMaxTokens() != null ? params.getMaxTokens() : fallbackMax,
                system(call.request().getMessages()),
                messages(call.request().getMessages()),
                params.getTemperature(),
                params.getTopP(),
                params.getStop().isEmpty() ? null : List.copyOf(params.getStop()),
                params.getTools().isEmpty() ? null : tools(params.getTools()),
                thinkingBudget.isPresent() ? new AnthropicWire.Thinking("enabled", thinkingBudget.getAsInt()) : null,
                true);
        try {
            return AnthropicWire.JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an Anthropic request", e);
        }
    }

    /** System messages go to the top-level {@code system} field, joined as paragraphs. */
    private static String system(List<Message> messages) {
        List<String> parts = messages.stream().filter(m -> "system".equals(m.getRole())).map(Message::getContent).toList();
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }

    /**
     * user/assistant keep their text; a tool answer becomes a {@code tool_result} block in a user turn,
     * consecutive answers sharing one turn (parallel tool results must sit in the same message).
     */
    private static List<AnthropicWire.Message> messages(List<Message> messages) throws ProviderException {
        List<AnthropicWire.Message> out = new ArrayList<>();
        List<AnthropicWire.ToolResult> results = null;
        for (Message m : messages) {
            switch (m.getRole()) {
                case "system" -> { }
                case "user", "assistant" -> {
                    out.add(new AnthropicWire.Message(m.getRole(), m.getContent()));
                    results = null;
                }
                case "tool" -> {
                    if (m.getToolCallId() == null) {
                        throw invalid("a message with role 'tool' needs the toolCallId it answers");
                    }
                    if (results == null) {
                        results = new ArrayList<>();
                        out.add(new AnthropicWire.Message("user", results));
                    }
                    results.add(new AnthropicWire.ToolResult(m.getToolCallId(), m.getContent()));
                }
                default -> throw invalid("role '" + m.getRole() + "' is not one of system, user, assistant, tool");
            }
        }
        return out;
    }

    private static List<AnthropicWire.Tool> tools(List<ToolDefinition> tools) throws ProviderException {
        List<AnthropicWire.Tool> out = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            out.add(new AnthropicWire.Tool(tool.getName(), tool.getDescription(), schema(tool)));
        }
        return out;
    }

    private static JsonNode schema(ToolDefinition tool) throws ProviderException {
        try {
            return AnthropicWire.JSON.readTree(tool.getParametersJson());
        } catch (JsonProcessingException e) {
            throw invalid("tool '" + tool.getName() + "' has parametersJson that is not valid JSON");
        }
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
