package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.MessageContent;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import java.util.List;

/**
 * The JSON request bodies. Null generation parameters are left out so the provider's defaults apply.
 * Messages, with their image parts and earlier tool calls, are written by {@link OpenAiMessages}.
 */
final class RequestBodies {
    private RequestBodies() {}

    /**
     * Chat Completions (platform.openai.com/docs/api-reference/chat/create). Options:
     * {@code max-tokens-field} ({@code max_tokens}; reasoning models need {@code max_completion_tokens}),
     * {@code include-usage} ({@code true}; {@code false} drops {@code stream_options} for servers that
     * reject it).
     */
    static ObjectNode chat(ProviderCall call, ProviderSettings settings) throws ProviderException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", call.model());
        ArrayNode messages = body.putArray("messages");
        List<Message> conversation = call.request().getMessages();
        for (int i = 0; i < conversation.size(); i++) {
            Message message = conversation.get(i);
            ObjectNode out = messages.addObject().put("role", message.getRole());
            OpenAiMessages.chat(out, message, "messages[" + i + "]");
            putIfSet(out, "name", message.getName());
            putIfSet(out, "tool_call_id", message.getToolCallId());
        }
        body.put("stream", true);
        if (Boolean.parseBoolean(settings.option("include-usage", "true"))) {
            body.putObject("stream_options").put("include_usage", true);
        }
        GenerationParams params = call.request().getParams();
        if (params.getMaxTokens() != null) {
            body.put(settings.option("max-tokens-field", "max_tokens"), params.getMaxTokens());
        }
        sampling(body, params);
        if (!params.getStop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            params.getStop().forEach(stop::add);
        }
        if (!params.getTools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : params.getTools()) {
                function(tools.addObject().put("type", "function").putObject("function"), tool);
            }
        }
        return body;
    }

    /**
     * Responses (platform.openai.com/docs/api-reference/responses/create): messages become
     * {@code input} items, an assistant's earlier calls {@code function_call} items, a {@code tool}
     * message (text only) a {@code function_call_output}. The API has no stop sequences: {@code stop}
     * is not sent.
     */
    static ObjectNode responses(ProviderCall call, String provider) throws ProviderException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", call.model());
        ArrayNode input = body.putArray("input");
        List<Message> conversation = call.request().getMessages();
        for (int i = 0; i < conversation.size(); i++) {
            Message message = conversation.get(i);
            String where = "messages[" + i + "]";
            if ("tool".equals(message.getRole())) {
                ObjectNode out = input.addObject().put("type", "function_call_output");
                putIfSet(out, "call_id", message.getToolCallId());
                out.put("output", MessageContent.text(message, where, provider));
            } else {
                OpenAiMessages.responses(input, message, where, provider);
            }
        }
        body.put("stream", true);
        GenerationParams params = call.request().getParams();
        if (params.getMaxTokens() != null) {
            body.put("max_output_tokens", params.getMaxTokens());
        }
        sampling(body, params);
        if (!params.getTools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : params.getTools()) {
                function(tools.addObject().put("type", "function"), tool);
            }
        }
        return body;
    }

    private static void sampling(ObjectNode body, GenerationParams params) {
        if (params.getTemperature() != null) {
            body.put("temperature", params.getTemperature());
        }
        if (params.getTopP() != null) {
            body.put("top_p", params.getTopP());
        }
    }

    /** name, description and the JSON Schema of the parameters as an object (not a string). */
    private static void function(ObjectNode target, ToolDefinition tool) throws ProviderException {
        target.put("name", tool.getName());
        putIfSet(target, "description", tool.getDescription());
        target.set("parameters", MessageContent.toolSchema(tool));
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
