package dev.tokenlog.worker.provider.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.MessageContent;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;

/**
 * Builds the ConverseStream request (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html)
 * from a provider call: system messages become {@code system} blocks; user and assistant text become
 * text blocks; a tool answer becomes a {@code toolResult} block in a user turn. Consecutive messages
 * of one role share a turn, since Converse requires user and assistant turns to alternate.
 */
final class BedrockRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BedrockRequests() {}

    static ConverseStreamRequest request(ProviderCall call) throws ProviderException {
        GenerationParams params = call.request().getParams();
        ConverseStreamRequest.Builder request = ConverseStreamRequest.builder()
                .modelId(call.model())
                .messages(messages(call.request().getMessages()));
        List<SystemContentBlock> system = new ArrayList<>();
        List<dev.tokenlog.avro.Message> all = call.request().getMessages();
        for (int i = 0; i < all.size(); i++) {
            if ("system".equals(all.get(i).getRole())) {
                system.add(SystemContentBlock.fromText(MessageContent.textOnly(all.get(i), "messages[" + i + "]", "bedrock")));
            }
        }
        if (!system.isEmpty()) {
            request.system(system);
        }
        if (params.getMaxTokens() != null || params.getTemperature() != null || params.getTopP() != null
                || !params.getStop().isEmpty()) {
            request.inferenceConfig(InferenceConfiguration.builder()
                    .maxTokens(params.getMaxTokens())
                    .temperature(params.getTemperature() == null ? null : params.getTemperature().floatValue())
                    .topP(params.getTopP() == null ? null : params.getTopP().floatValue())
                    .stopSequences(params.getStop().isEmpty() ? null : List.copyOf(params.getStop()))
                    .build());
        }
        if (!params.getTools().isEmpty()) {
            List<Tool> tools = new ArrayList<>();
            for (ToolDefinition tool : params.getTools()) {
                tools.add(Tool.fromToolSpec(ToolSpecification.builder()
                        .name(tool.getName())
                        .description(tool.getDescription())
                        .inputSchema(ToolInputSchema.fromJson(document(schema(tool))))
                        .build()));
            }
            request.toolConfig(ToolConfiguration.builder().tools(tools).build());
        }
        return request.build();
    }

    private static List<Message> messages(List<dev.tokenlog.avro.Message> messages) throws ProviderException {
        List<Message> out = new ArrayList<>();
        ConversationRole role = null;
        List<ContentBlock> blocks = null;
        for (int i = 0; i < messages.size(); i++) {
            dev.tokenlog.avro.Message m = messages.get(i);
            String text = MessageContent.textOnly(m, "messages[" + i + "]", "bedrock");
            ConversationRole next;
            ContentBlock block;
            switch (m.getRole()) {
                case "system" -> {
                    continue;
                }
                case "user", "assistant" -> {
                    next = ConversationRole.fromValue(m.getRole());
                    block = ContentBlock.fromText(text);
                }
                case "tool" -> {
                    if (m.getToolCallId() == null) {
                        throw invalid("a message with role 'tool' needs the toolCallId it answers");
                    }
                    next = ConversationRole.USER;
                    block = ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId(m.getToolCallId())
                            .content(ToolResultContentBlock.fromText(text)).build());
                }
                default -> throw invalid("role '" + m.getRole() + "' is not one of system, user, assistant, tool");
            }
            if (next != role) {
                if (blocks != null) {
                    out.add(Message.builder().role(role).content(blocks).build());
                }
                role = next;
                blocks = new ArrayList<>();
            }
            blocks.add(block);
        }
        if (blocks != null) {
            out.add(Message.builder().role(role).content(blocks).build());
        }
        return out;
    }

    private static JsonNode schema(ToolDefinition tool) throws ProviderException {
        try {
            return JSON.readTree(tool.getParametersJson());
        } catch (JsonProcessingException e) {
            throw invalid("tool '" + tool.getName() + "' has parametersJson that is not valid JSON");
        }
    }

    /** A JSON tree as the SDK's {@link Document} (what {@code inputSchema.json} is typed as). */
    static Document document(JsonNode node) {
        if (node.isObject()) {
            Map<String, Document> members = new LinkedHashMap<>();
            node.properties().forEach(e -> members.put(e.getKey(), document(e.getValue())));
            return Document.fromMap(members);
        }
        if (node.isArray()) {
            List<Document> items = new ArrayList<>();
            node.forEach(item -> items.add(document(item)));
            return Document.fromList(items);
        }
        if (node.isNumber()) {
            return Document.fromNumber(node.isIntegralNumber() ? SdkNumber.fromBigInteger(node.bigIntegerValue())
                    : SdkNumber.fromBigDecimal(node.decimalValue()));
        }
        if (node.isBoolean()) {
            return Document.fromBoolean(node.booleanValue());
        }
        return node.isNull() || node.isMissingNode() ? Document.fromNull() : Document.fromString(node.asText());
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
