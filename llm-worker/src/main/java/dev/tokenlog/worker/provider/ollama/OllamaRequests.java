package dev.tokenlog.worker.provider.ollama;

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

/** Builds the {@code /api/chat} request body from a provider call. */
final class OllamaRequests {

    private OllamaRequests() {}

    /** @param think the {@code think} value (true, or a level), or null to leave it to the model */
    static String body(ProviderCall call, Object think, String provider) throws ProviderException {
        GenerationParams params = call.request().getParams();
        List<OllamaWire.ChatMessage> messages = new ArrayList<>();
        List<Message> conversation = call.request().getMessages();
        for (int i = 0; i < conversation.size(); i++) {
            messages.add(message(conversation.get(i), "messages[" + i + "]", provider));
        }
        boolean anyOption = params.getMaxTokens() != null || params.getTemperature() != null
                || params.getTopP() != null || !params.getStop().isEmpty();
        OllamaWire.Request request = new OllamaWire.Request(call.model(), messages, true,
                anyOption ? new OllamaWire.Options(params.getMaxTokens(), params.getTemperature(), params.getTopP(),
                        params.getStop().isEmpty() ? null : List.copyOf(params.getStop())) : null,
                params.getTools().isEmpty() ? null : tools(params.getTools()),
                think);
        try {
            return OllamaWire.JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an Ollama request", e);
        }
    }

    /**
     * Ollama takes the four roles as they are; text parts join into {@code content}, images go to
     * {@code images} as base64 (Ollama cannot fetch URLs), earlier calls to {@code tool_calls} with
     * the arguments as objects, and a tool answer names its function in {@code tool_name}.
     */
    private static OllamaWire.ChatMessage message(Message m, String where, String provider) throws ProviderException {
        String content = m.getContent();
        List<String> images = new ArrayList<>();
        if (MessageContent.hasParts(m)) {
            List<String> texts = new ArrayList<>();
            for (MessageContent.Part part : MessageContent.parts(m, where)) {
                switch (part) {
                    case MessageContent.Text text -> texts.add(text.text());
                    case MessageContent.InlineImage image -> images.add(image.base64());
                    case MessageContent.UrlImage image -> throw new ProviderException("INVALID_REQUEST", "provider '"
                            + provider + "' (Ollama) needs inline images (base64) and cannot fetch the image URL "
                            + image.url() + " in " + where + "; send the image bytes, e.g. as a data: URL", false);
                }
            }
            content = String.join("\n", texts);
        }
        List<OllamaWire.ToolCall> calls = new ArrayList<>();
        for (MessageToolCall call : m.getToolCalls()) {
            calls.add(new OllamaWire.ToolCall(call.getId(),
                    new OllamaWire.CalledFunction(call.getName(), MessageContent.arguments(call, provider))));
        }
        return new OllamaWire.ChatMessage(m.getRole(), content, images.isEmpty() ? null : images,
                calls.isEmpty() ? null : calls, "tool".equals(m.getRole()) ? m.getName() : null);
    }

    private static List<OllamaWire.Tool> tools(List<ToolDefinition> tools) throws ProviderException {
        List<OllamaWire.Tool> out = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            out.add(new OllamaWire.Tool("function", new OllamaWire.Function(tool.getName(), tool.getDescription(),
                    MessageContent.toolSchema(tool))));
        }
        return out;
    }
}
