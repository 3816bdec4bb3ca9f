package dev.tokenlog.worker.provider.gemini;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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

/** Builds the {@code streamGenerateContent} request body from a provider call. */
final class GeminiRequests {

    private GeminiRequests() {}

    /** @param thinkingBudget {@code thinkingConfig.thinkingBudget}, if set (thoughts are then streamed) */
    static String body(ProviderCall call, OptionalInt thinkingBudget, String provider) throws ProviderException {
        GenerationParams params = call.request().getParams();
        List<Message> messages = call.request().getMessages();
        List<GeminiWire.Part> system = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if ("system".equals(messages.get(i).getRole())) {
                system.add(GeminiWire.Part.text(MessageContent.text(messages.get(i), "messages[" + i + "]", provider)));
            }
        }
        GeminiWire.Request request = new GeminiWire.Request(
                contents(messages, provider),
                system.isEmpty() ? null : new GeminiWire.Content(null, system),
                new GeminiWire.GenerationConfig(params.getMaxTokens(), params.getTemperature(), params.getTopP(),
                        params.getStop().isEmpty() ? null : List.copyOf(params.getStop()),
                        thinkingBudget.isPresent() ? new GeminiWire.ThinkingConfig(thinkingBudget.getAsInt(), true) : null),
                params.getTools().isEmpty() ? null : List.of(new GeminiWire.ToolSet(declarations(params.getTools()))));
        try {
            return GeminiWire.JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a Gemini request", e);
        }
    }

    /**
     * user stays user, assistant becomes model; a tool answer becomes a {@code functionResponse} part
     * of a user turn, consecutive answers sharing one turn. Gemini matches responses to calls by
     * function name, so a tool message must carry it in {@code name}.
     */
    private static List<GeminiWire.Content> contents(List<Message> messages, String provider) throws ProviderException {
        List<GeminiWire.Content> out = new ArrayList<>();
        List<GeminiWire.Part> responses = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String where = "messages[" + i + "]";
            switch (m.getRole()) {
                case "system" -> { }
                case "user", "assistant" -> {
                    out.add(new GeminiWire.Content("user".equals(m.getRole()) ? "user" : "model", parts(m, where, provider)));
                    responses = null;
                }
                case "tool" -> {
                    if (m.getName() == null) {
                        throw invalid("Gemini needs the function name in the 'name' of a message with role 'tool'");
                    }
                    if (responses == null) {
                        responses = new ArrayList<>();
                        out.add(new GeminiWire.Content("user", responses));
                    }
                    responses.add(GeminiWire.Part.functionResponse(m.getName(),
                            response(MessageContent.text(m, where, provider))));
                }
                default -> throw invalid("role '" + m.getRole() + "' is not one of system, user, assistant, tool");
            }
        }
        return out;
    }

    /**
     * Text, {@code inlineData} (base64 with mimeType), {@code fileData} for image URLs (Gemini needs
     * the mimeType there, so a URL without one is refused), and {@code functionCall} for the model's
     * earlier calls (without ids: responses are matched by name).
     */
    private static List<GeminiWire.Part> parts(Message m, String where, String provider) throws ProviderException {
        if (!MessageContent.hasParts(m) && m.getToolCalls().isEmpty()) {
            return List.of(GeminiWire.Part.text(m.getContent()));
        }
        List<GeminiWire.Part> out = new ArrayList<>();
        for (MessageContent.Part part : MessageContent.parts(m, where)) {
            out.add(switch (part) {
                case MessageContent.Text text -> GeminiWire.Part.text(text.text());
                case MessageContent.InlineImage image -> GeminiWire.Part.inlineData(image.mediaType(), image.base64());
                case MessageContent.UrlImage image -> {
                    if (image.mediaType() == null) {
                        throw invalid("provider '" + provider + "' (Gemini) needs the media type of the image URL "
                                + image.url() + " in " + where + "; set the part's mediaType (e.g. image/jpeg) or send"
                                + " the image inline");
                    }
                    yield GeminiWire.Part.fileData(image.mediaType(), image.url());
                }
            });
        }
        for (MessageToolCall call : m.getToolCalls()) {
            out.add(GeminiWire.Part.functionCall(call.getName(), MessageContent.arguments(call, provider)));
        }
        return out;
    }

    /** {@code functionResponse.response} must be a JSON object: a non-object answer is wrapped. */
    private static JsonNode response(String content) {
        try {
            JsonNode node = GeminiWire.JSON.readTree(content);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (JsonProcessingException notJson) {
            // plain text answer
        }
        return GeminiWire.JSON.createObjectNode().put("content", content);
    }

    private static List<GeminiWire.FunctionDeclaration> declarations(List<ToolDefinition> tools) throws ProviderException {
        List<GeminiWire.FunctionDeclaration> out = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            out.add(new GeminiWire.FunctionDeclaration(tool.getName(), tool.getDescription(),
                    MessageContent.toolSchema(tool)));
        }
        return out;
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
