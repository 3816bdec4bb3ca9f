package dev.tokenlog.worker.provider.gemini;

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

/** Builds the {@code streamGenerateContent} request body from a provider call. */
final class GeminiRequests {

    private GeminiRequests() {}

    /** @param thinkingBudget {@code thinkingConfig.thinkingBudget}, if set (thoughts are then streamed) */
    static String body(ProviderCall call, OptionalInt thinkingBudget) throws ProviderException {
        GenerationParams params = call.request().getParams();
        List<Message> messages = call.request().getMessages();
        List<GeminiWire.Part> system = messages.stream().filter(m -> "system".equals(m.getRole()))
                .map(m -> GeminiWire.Part.text(m.getContent())).toList();
        GeminiWire.Request request = new GeminiWire.Request(
                contents(messages),
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
    private static List<GeminiWire.Content> contents(List<Message> messages) throws ProviderException {
        List<GeminiWire.Content> out = new ArrayList<>();
        List<GeminiWire.Part> responses = null;
        for (Message m : messages) {
            switch (m.getRole()) {
                case "system" -> { }
                case "user", "assistant" -> {
                    out.add(new GeminiWire.Content("user".equals(m.getRole()) ? "user" : "model",
                            List.of(GeminiWire.Part.text(m.getContent()))));
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
                    responses.add(new GeminiWire.Part(null, null, null,
                            new GeminiWire.FunctionResponse(m.getName(), response(m.getContent()))));
                }
                default -> throw invalid("role '" + m.getRole() + "' is not one of system, user, assistant, tool");
            }
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
            try {
                out.add(new GeminiWire.FunctionDeclaration(tool.getName(), tool.getDescription(),
                        GeminiWire.JSON.readTree(tool.getParametersJson())));
            } catch (JsonProcessingException e) {
                throw invalid("tool '" + tool.getName() + "' has parametersJson that is not valid JSON");
            }
        }
        return out;
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
