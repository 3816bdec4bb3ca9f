package dev.tokenlog.worker.provider.watsonx;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.MessageContent;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the chat request body (https://cloud.ibm.com/apidocs/watsonx-ai#text-chat-stream): OpenAI-like
 * messages (user content as text and image parts, as IBM's SDKs send it), the project or space the
 * model runs in, sampling parameters and function tools. Images go as base64 data URLs, the only form
 * watsonx.ai takes; an image given by http(s) URL is refused.
 */
final class WatsonxRequests {

    /** Where the model runs: exactly one of the two is set. */
    record Scope(String projectId, String spaceId) {}

    private WatsonxRequests() {}

    static String body(ProviderCall call, Scope scope) throws ProviderException {
        GenerationParams params = call.request().getParams();
        WatsonxWire.Request request = new WatsonxWire.Request(
                call.model(),
                scope.projectId(),
                scope.spaceId(),
                messages(call.request().getMessages()),
                params.getMaxTokens(),
                params.getTemperature(),
                params.getTopP(),
                params.getStop().isEmpty() ? null : List.copyOf(params.getStop()),
                params.getTools().isEmpty() ? null : tools(params.getTools()));
        try {
            return WatsonxWire.JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a watsonx request", e);
        }
    }

    private static List<WatsonxWire.Message> messages(List<Message> messages) throws ProviderException {
        List<WatsonxWire.Message> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String where = "messages[" + i + "]";
            if ("user".equals(m.getRole())) {
                out.add(new WatsonxWire.Message("user", userParts(m, where), null));
                continue;
            }
            String text = MessageContent.textOnly(m, where, "watsonx");
            out.add(switch (m.getRole()) {
                case "system", "assistant" -> new WatsonxWire.Message(m.getRole(), text, null);
                case "tool" -> {
                    if (m.getToolCallId() == null) {
                        throw invalid("a message with role 'tool' needs the toolCallId it answers");
                    }
                    yield new WatsonxWire.Message("tool", text, m.getToolCallId());
                }
                default -> throw invalid("role '" + m.getRole() + "' is not one of system, user, assistant, tool");
            });
        }
        return out;
    }

    private static List<Object> userParts(Message m, String where) throws ProviderException {
        MessageContent.refuseToolCalls(m, where, "watsonx");
        List<Object> parts = new ArrayList<>();
        for (MessageContent.Part part : MessageContent.parts(m, where)) {
            parts.add(switch (part) {
                case MessageContent.Text text -> new WatsonxWire.TextPart(text.text());
                case MessageContent.InlineImage image -> new WatsonxWire.ImagePart(image.dataUrl());
                case MessageContent.UrlImage url -> throw invalid(where + " has an image by URL (" + url.url()
                        + "), but watsonx.ai takes images only as base64 data; send a data: URL or inline data");
            });
        }
        if (parts.isEmpty()) {
            parts.add(new WatsonxWire.TextPart(""));
        }
        return parts;
    }

    private static List<WatsonxWire.Tool> tools(List<ToolDefinition> tools) throws ProviderException {
        List<WatsonxWire.Tool> out = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            out.add(new WatsonxWire.Tool(new WatsonxWire.Function(tool.getName(), tool.getDescription(), MessageContent.toolSchema(tool))));
        }
        return out;
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
