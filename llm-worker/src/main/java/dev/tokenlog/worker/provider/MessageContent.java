package dev.tokenlog.worker.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.schemas.ImageDataUrl;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A request message's content as the adapters send it. A message with {@code parts} is its parts
 * (its {@code content} is then only a text view of them); one without is its {@code content}.
 * Image parts are resolved once here, whatever form the producer chose: inline bytes, a data: URL or
 * an http(s) URL. Anything an adapter cannot send faithfully is an {@code INVALID_REQUEST}, never
 * silently dropped.
 */
public final class MessageContent {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One piece of content, ready to be written in a provider's shape. */
    public sealed interface Part permits Text, InlineImage, UrlImage {}

    /** Non-empty text. */
    public record Text(String text) implements Part {}

    /** Image bytes as base64 (no line breaks) with their media type, e.g. {@code image/png}. */
    public record InlineImage(String mediaType, String base64) implements Part {
        /** {@code data:<mediaType>;base64,<data>}. */
        public String dataUrl() {
            return "data:" + mediaType + ";base64," + base64;
        }
    }

    /** An image by http(s) URL; {@code mediaType} is null when the producer did not give it. */
    public record UrlImage(String url, String mediaType) implements Part {}

    private MessageContent() {}

    /** Whether the message has parts, so the adapter should send structured content. */
    public static boolean hasParts(Message m) {
        return !m.getParts().isEmpty();
    }

    /**
     * The parts of the message in order, empty text left out; for a message without parts its
     * content as one text part (none when empty).
     *
     * @param where the message's position, e.g. {@code messages[2]}, for error messages
     */
    public static List<Part> parts(Message m, String where) throws ProviderException {
        if (!hasParts(m)) {
            return m.getContent().isEmpty() ? List.of() : List.of(new Text(m.getContent()));
        }
        List<Part> out = new ArrayList<>(m.getParts().size());
        for (int i = 0; i < m.getParts().size(); i++) {
            Part part = resolve(m.getParts().get(i), where + ".parts[" + i + "]");
            if (!(part instanceof Text text && text.text().isEmpty())) {
                out.add(part);
            }
        }
        return out;
    }

    /**
     * The message as plain text, for places a provider takes text only (system prompts, tool
     * results): its content, or its text parts joined by newlines.
     *
     * @throws ProviderException INVALID_REQUEST when the message holds an image
     */
    public static String text(Message m, String where, String provider) throws ProviderException {
        List<String> texts = new ArrayList<>();
        for (Part part : parts(m, where)) {
            if (!(part instanceof Text text)) {
                throw invalid(where + " (role " + m.getRole() + ") holds an image, but provider '" + provider
                        + "' takes only text there; send images in user messages");
            }
            texts.add(text.text());
        }
        return String.join("\n", texts);
    }

    /**
     * The message as plain text for an adapter that sends only text: images and earlier tool calls
     * are refused with INVALID_REQUEST (never dropped silently).
     */
    public static String textOnly(Message m, String where, String provider) throws ProviderException {
        refuseToolCalls(m, where, provider);
        return text(m, where, provider);
    }

    /** For an adapter that cannot replay earlier tool calls: INVALID_REQUEST when the message has any. */
    public static void refuseToolCalls(Message m, String where, String provider) throws ProviderException {
        if (!m.getToolCalls().isEmpty()) {
            throw invalid(where + " (role " + m.getRole() + ") carries earlier tool calls, which provider '" + provider
                    + "' cannot replay yet; send the conversation without them or use another provider");
        }
    }

    /**
     * The arguments of an earlier tool call as a JSON object, for providers that take objects
     * (blank arguments are {@code {}}).
     *
     * @throws ProviderException INVALID_REQUEST when they are not a JSON object
     */
    public static ObjectNode arguments(MessageToolCall call, String provider) throws ProviderException {
        String json = call.getArgumentsJson();
        if (json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException notJson) {
            // reported below
        }
        throw invalid("tool call '" + call.getId() + "' (" + call.getName() + ") has argumentsJson that is not a JSON"
                + " object, and provider '" + provider + "' takes the arguments as an object");
    }

    /**
     * The JSON Schema of a tool's parameters as an object, parsed once for every adapter.
     *
     * @throws ProviderException INVALID_REQUEST when {@code parametersJson} is not a JSON object
     */
    public static ObjectNode toolSchema(ToolDefinition tool) throws ProviderException {
        try {
            if (JSON.readTree(tool.getParametersJson()) instanceof ObjectNode schema) {
                return schema;
            }
        } catch (JsonProcessingException notJson) {
            // reported below
        }
        throw invalid("tool '" + tool.getName() + "' has parametersJson that is not a JSON object; give its JSON"
                + " Schema as an object");
    }

    private static Part resolve(ContentPart part, String where) throws ProviderException {
        return switch (part.getType()) {
            case TEXT -> new Text(part.getText() == null ? "" : part.getText());
            case IMAGE -> image(part, where);
            case OTHER -> throw invalid(where + " is a content part of a kind this worker does not know (written by a"
                    + " newer producer); upgrade the worker");
        };
    }

    private static Part image(ContentPart part, String where) throws ProviderException {
        if (part.getData() != null) {
            if (part.getMediaType() == null || part.getMediaType().isBlank()) {
                throw invalid(where + " is an inline image without mediaType; set it, e.g. image/png");
            }
            return new InlineImage(part.getMediaType(), base64(part.getData()));
        }
        String url = part.getImageUrl();
        if (url == null || url.isBlank()) {
            throw invalid(where + " is an image with neither data nor imageUrl");
        }
        if (ImageDataUrl.isDataUrl(url)) {
            try {
                ImageDataUrl image = ImageDataUrl.parse(url);
                return new InlineImage(image.mediaType(), Base64.getEncoder().encodeToString(image.data()));
            } catch (IllegalArgumentException e) {
                throw invalid(where + ".imageUrl " + e.getMessage());
            }
        }
        if (!url.regionMatches(true, 0, "http://", 0, 7) && !url.regionMatches(true, 0, "https://", 0, 8)) {
            throw invalid(where + ".imageUrl must be an http(s) or a data: URL");
        }
        return new UrlImage(url, part.getMediaType());
    }

    /** Base64 of the buffer's remaining bytes, leaving the buffer (shared with the record) untouched. */
    private static String base64(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static ProviderException invalid(String message) {
        return new ProviderException("INVALID_REQUEST", message, false);
    }
}
