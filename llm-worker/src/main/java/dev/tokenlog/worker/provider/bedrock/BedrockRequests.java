package dev.tokenlog.worker.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.MessageContent;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ImageBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ImageFormat;
import software.amazon.awssdk.services.bedrockruntime.model.ImageSource;
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
 * text blocks, user images {@code image} blocks (bytes: Converse takes no image URLs, so an image given
 * by http(s) URL is refused); a tool answer becomes a {@code toolResult} block in a user turn. Consecutive messages
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
                        .inputSchema(ToolInputSchema.fromJson(document(MessageContent.toolSchema(tool))))
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
            String where = "messages[" + i + "]";
            ConversationRole next;
            List<ContentBlock> content;
            switch (m.getRole()) {
                case "system" -> {
                    continue;
                }
                case "user" -> {
                    next = ConversationRole.USER;
                    content = userContent(m, where);
                }
                case "assistant" -> {
                    next = ConversationRole.ASSISTANT;
                    content = List.of(ContentBlock.fromText(MessageContent.textOnly(m, where, "bedrock")));
                }
                case "tool" -> {
                    if (m.getToolCallId() == null) {
                        throw invalid("a message with role 'tool' needs the toolCallId it answers");
                    }
                    next = ConversationRole.USER;
                    content = List.of(ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId(m.getToolCallId())
                            .content(ToolResultContentBlock.fromText(MessageContent.textOnly(m, where, "bedrock"))).build()));
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
            blocks.addAll(content);
        }
        if (blocks != null) {
            out.add(Message.builder().role(role).content(blocks).build());
        }
        return out;
    }

    private static List<ContentBlock> userContent(dev.tokenlog.avro.Message m, String where) throws ProviderException {
        MessageContent.refuseToolCalls(m, where, "bedrock");
        List<ContentBlock> content = new ArrayList<>();
        for (MessageContent.Part part : MessageContent.parts(m, where)) {
            content.add(switch (part) {
                case MessageContent.Text text -> ContentBlock.fromText(text.text());
                case MessageContent.InlineImage image -> ContentBlock.fromImage(ImageBlock.builder()
                        .format(imageFormat(image.mediaType(), where))
                        .source(ImageSource.fromBytes(SdkBytes.fromByteArray(Base64.getDecoder().decode(image.base64()))))
                        .build());
                case MessageContent.UrlImage url -> throw invalid(where + " has an image by URL (" + url.url()
                        + "), but Bedrock Converse takes images only as bytes; send a data: URL or inline data");
            });
        }
        if (content.isEmpty()) {
            content.add(ContentBlock.fromText(""));
        }
        return content;
    }

    /** Converse's image formats: png, jpeg, gif, webp. */
    private static ImageFormat imageFormat(String mediaType, String where) throws ProviderException {
        return switch (mediaType.toLowerCase(java.util.Locale.ROOT)) {
            case "image/png" -> ImageFormat.PNG;
            case "image/jpeg", "image/jpg" -> ImageFormat.JPEG;
            case "image/gif" -> ImageFormat.GIF;
            case "image/webp" -> ImageFormat.WEBP;
            default -> throw invalid(where + " is an image of type " + mediaType
                    + ", which Bedrock Converse does not take (png, jpeg, gif or webp)");
        };
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
