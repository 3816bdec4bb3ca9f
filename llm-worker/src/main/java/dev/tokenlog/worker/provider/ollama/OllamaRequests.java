package dev.tokenlog.worker.provider.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@code /api/chat} request body from a provider call. */
final class OllamaRequests {

    private OllamaRequests() {}

    /** @param think the {@code think} value (true, or a level), or null to leave it to the model */
    static String body(ProviderCall call, Object think) throws ProviderException {
        GenerationParams params = call.request().getParams();
        List<OllamaWire.ChatMessage> messages = new ArrayList<>();
        for (Message m : call.request().getMessages()) {
            // Ollama takes the four roles as they are; a tool answer names its function in tool_name.
            messages.add(new OllamaWire.ChatMessage(m.getRole(), m.getContent(),
                    "tool".equals(m.getRole()) ? m.getName() : null));
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

    private static List<OllamaWire.Tool> tools(List<ToolDefinition> tools) throws ProviderException {
        List<OllamaWire.Tool> out = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            try {
                out.add(new OllamaWire.Tool("function", new OllamaWire.Function(tool.getName(), tool.getDescription(),
                        OllamaWire.JSON.readTree(tool.getParametersJson()))));
            } catch (JsonProcessingException e) {
                throw new ProviderException("INVALID_REQUEST",
                        "tool '" + tool.getName() + "' has parametersJson that is not valid JSON", false);
            }
        }
        return out;
    }
}
