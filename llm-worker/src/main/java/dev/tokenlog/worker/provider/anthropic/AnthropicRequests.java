package dev.tokenlog.worker.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.MessageContent;
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
    static String body(ProviderCall call, OptionalInt thinkingBudget, String provider) throws ProviderException {
        GenerationParams params = call.request().getParams();
        int fallbackMax = DEFAULT_MAX_TOKENS + thinkingBudget.orElse(0);
        AnthropicWire.Request request = new AnthropicWire.Request(
                call.model(),
                params.getMaxTokens() != null ? params.getMaxTokens() : fallbackMax,
                system(call.request().getMessages(), provider),
                messages(call.request().getMessages(), provider),
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

    /** System messages (text only) go to the top-level {@code system} field, joined as paragraphs. */
    private static String system(List<Message> messages, String provider) throws ProviderException {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if ("system".equals(messages.get(i).getRole())) {
                parts.add(MessageContent.text(messages.get(i), "messages[" + i + "]", provider));
            }
        }
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }

    /**
     * user/assistant keep their text, or become blocks when they have parts or tool calls; a tool
     * answer becomes a {@code tool_result} block in a user turn, consecutive answers sharing one turn
     * (parallel tool results must sit in the same message).
     */
    private static List<AnthropicWire.Message> messages(List<Message> messages, String provider) throws ProviderException {
        List<AnthropicWire.Message> out = new ArrayList<>();
        List<AnthropicWire.ToolResult> results = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String where = "messages[" + i + "]";
            switch (m.getRole()) {
                case "system" -> { }
                case "user", "assistant" -> {
                    out.add(new AnthropicWire.Message(m.getRole(), content(m, where, provider)));
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
                    results.add(new AnthropicWire.ToolResult(m.getToolCallId(), MessageContent.text(m, where, provider)));
                }
                default -> throw invalid("role '" + m.getRole() + "' is not one of system, user, assistant, tool");
            }
        }
        return out;
    }

    /**
     * The content as a string, or as blocks: {@code text}, {@code image} (source {@code base64} or
     * {@code url}) and, for the assistant's earlier calls, {@code tool_use} with the arguments parsed.
     * Empty text blocks are left out (the API rejects them).
     */
    private static Object content(Message m, String where, String provider) throws ProviderException {
        if (!MessageContent.hasParts(m) && m.getToolCalls().isEmpty()) {
            return m.getContent();
        }
        List<Object> blocks = new ArrayList<>();
        for (MessageContent.Part part : MessageContent.parts(m, where)) {
            blocks.add(switch (part) {
                case MessageContent.Text text -> new AnthropicWire.TextBlock(text.text());
                case MessageContent.InlineImage image ->
                        new AnthropicWire.ImageBlock(AnthropicWire.ImageSource.base64(image.mediaType(), image.base64()));
                case MessageContent.UrlImage image -> new AnthropicWire.ImageBlock(AnthropicWire.ImageSource.url(image.url()));
            });
        }
        for (MessageToolCall call : m.getToolCalls()) {
            blocks.add(new AnthropicWire.ToolUse(call.getId(), call.getName(), MessageContent.arguments(call, provider)));
        }
        return blocks;
    }

    private static List<AnthropicWire.Tool> tools(List<ToolDefinition> tools) throws ProviderException {
        List<AnthropicWire.Tool> out = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            out.add(new AnthropicWire.Tool(tool.getName(), tool.getDescription(), MessageContent.toolSchema(tool)));
        }
        return out;
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
