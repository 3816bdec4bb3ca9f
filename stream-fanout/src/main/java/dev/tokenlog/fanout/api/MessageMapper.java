package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.PartType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maps one OpenAI-style message of {@code POST /v1/streams} onto the Avro {@link Message}: string
 * content stays {@code content}; array content becomes {@code parts} with {@code content} its text
 * parts joined by newlines; assistant {@code tool_calls} become {@code toolCalls}. Every rejection
 * names the offending field by its JSON path.
 */
final class MessageMapper {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    private MessageMapper() {}

    /** @param at the message's JSON path, e.g. {@code messages[2]} */
    static Message map(CreateStream.ChatMessage m, String at, long maxImageBytes) {
        if (m == null || m.role() == null || !ROLES.contains(m.role())) {
            throw ApiException.badRequest(at + ".role must be one of " + ROLES);
        }
        List<MessageToolCall> calls = toolCalls(m, at);
        Message.Builder out = Message.newBuilder().setRole(m.role()).setName(m.name()).setToolCallId(m.toolCallId())
                .setToolCalls(calls);
        JsonNode content = m.content();
        if (content == null || content.isNull()) {
            if (calls.isEmpty()) {
                throw ApiException.badRequest(at + ".content is required (only an assistant message with tool_calls"
                        + " may leave it null)");
            }
            return out.setContent("").build();
        }
        if (content.isTextual()) {
            return out.setContent(content.asText()).build();
        }
        if (!content.isArray() || content.isEmpty()) {
            throw ApiException.badRequest(at + ".content must be a string or a non-empty array of parts");
        }
        List<ContentPart> parts = new ArrayList<>(content.size());
        for (int j = 0; j < content.size(); j++) {
            parts.add(part(content.get(j), at + ".content[" + j + "]", m.role(), maxImageBytes));
        }
        String text = parts.stream().filter(p -> p.getType() == PartType.TEXT).map(ContentPart::getText)
                .collect(Collectors.joining("\n"));
        return out.setContent(text).setParts(parts).build();
    }

    private static ContentPart part(JsonNode node, String at, String role, long maxImageBytes) {
        if (!node.isObject()) {
            throw ApiException.badRequest(at + " must be an object with a type: text or image_url");
        }
        String type = node.path("type").isTextual() ? node.get("type").asText() : null;
        switch (type) {
            case "text" -> {
                JsonNode text = node.get("text");
                if (text == null || !text.isTextual()) {
                    throw ApiException.badRequest(at + ".text must be a string");
                }
                return ContentPart.newBuilder().setType(PartType.TEXT).setText(text.asText()).build();
            }
            case "image_url" -> {
                if (!"user".equals(role)) {
                    throw ApiException.badRequest(at + " is an image in a '" + role
                            + "' message; images are accepted in user messages only");
                }
                JsonNode image = node.path("image_url");
                if (!image.isObject()) {
                    throw ApiException.badRequest(at + ".image_url must be an object {\"url\": …}");
                }
                return ImageParts.fromUrl(textOrNull(image.get("url")), textOrNull(image.get("media_type")),
                        at + ".image_url", maxImageBytes);
            }
            case null -> throw ApiException.badRequest(at + ".type is required: text or image_url");
            default -> throw ApiException.badRequest(at + ".type '" + type + "' is not supported; use text or image_url");
        }
    }

    private static List<MessageToolCall> toolCalls(CreateStream.ChatMessage m, String at) {
        if (m.toolCalls() == null || m.toolCalls().isEmpty()) {
            return List.of();
        }
        if (!"assistant".equals(m.role())) {
            throw ApiException.badRequest(at + ".tool_calls is allowed on assistant messages only");
        }
        List<MessageToolCall> out = new ArrayList<>(m.toolCalls().size());
        for (int i = 0; i < m.toolCalls().size(); i++) {
            CreateStream.ToolCall call = m.toolCalls().get(i);
            String where = at + ".tool_calls[" + i + "]";
            if (call == null) {
                throw ApiException.badRequest(where + " must be an object {\"id\",\"type\":\"function\",\"function\"}");
            }
            if (call.type() != null && !"function".equals(call.type())) {
                throw ApiException.badRequest(where + ".type '" + call.type() + "' is not supported; use function");
            }
            if (call.id() == null || call.id().isBlank()) {
                throw ApiException.badRequest(where + ".id is required");
            }
            if (call.function() == null || call.function().name() == null || call.function().name().isBlank()) {
                throw ApiException.badRequest(where + ".function.name is required");
            }
            out.add(new MessageToolCall(call.id(), call.function().name(), arguments(call.function().arguments(), where)));
        }
        return out;
    }

    /** OpenAI sends arguments as JSON text; an object is taken as its JSON, a missing value as {}. */
    private static String arguments(JsonNode arguments, String where) {
        if (arguments == null || arguments.isNull()) {
            return "{}";
        }
        if (arguments.isTextual()) {
            return arguments.asText();
        }
        if (arguments.isObject()) {
            return arguments.toString();
        }
        throw ApiException.badRequest(where + ".function.arguments must be a JSON string (or an object)");
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
