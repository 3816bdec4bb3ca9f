package dev.tokenlog.worker.provider.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.PartType;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.worker.provider.ProviderCall;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Calls, tools and request readers shared by the provider tests. */
public final class TestCalls {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The first bytes of a PNG file; base64 {@value #PNG_BASE64}. */
    public static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    public static final String PNG_BASE64 = "iVBORw0KGgo=";

    private TestCalls() {}

    /** A system and a user message, no parameters. */
    public static ProviderCall simple() {
        return call(List.of(message("system", "Be brief."), message("user", "Say hello")),
                GenerationParams.newBuilder().build());
    }

    public static ProviderCall call(List<Message> messages, GenerationParams params) {
        LlmRequest request = LlmRequest.newBuilder()
                .setRequestId(RequestIds.newId())
                .setCreatedAt(Instant.now())
                .setRoute(List.of(new RouteTarget("under-test", "test-model")))
                .setMessages(messages)
                .setParams(params)
                .setMetadata(Map.of())
                .build();
        return new ProviderCall(request, "test-model", resource -> { });
    }

    public static Message message(String role, String content) {
        return new Message(role, content, null, null, List.of(), List.of());
    }

    /** A role=tool message answering {@code toolCallId} of function {@code name}. */
    public static Message toolAnswer(String name, String toolCallId, String content) {
        return new Message("tool", content, name, toolCallId, List.of(), List.of());
    }

    /** A user message with these parts; its content is their text, as the gateway writes it. */
    public static Message userWithParts(ContentPart... parts) {
        String text = Arrays.stream(parts).filter(p -> p.getType() == PartType.TEXT).map(ContentPart::getText)
                .collect(Collectors.joining("\n"));
        return Message.newBuilder().setRole("user").setContent(text).setParts(List.of(parts)).build();
    }

    public static ContentPart textPart(String text) {
        return ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build();
    }

    /** An inline image part: the bytes with their media type. */
    public static ContentPart inlineImage(String mediaType, byte[] data) {
        return ContentPart.newBuilder().setType(PartType.IMAGE).setMediaType(mediaType).setData(ByteBuffer.wrap(data))
                .build();
    }

    /** An image part by URL (http(s) or data:); {@code mediaType} may be null. */
    public static ContentPart urlImage(String url, String mediaType) {
        return ContentPart.newBuilder().setType(PartType.IMAGE).setImageUrl(url).setMediaType(mediaType).build();
    }

    /** An assistant turn that said {@code text} (may be empty) and made these calls. */
    public static Message assistantCalling(String text, MessageToolCall... calls) {
        return Message.newBuilder().setRole("assistant").setContent(text).setToolCalls(List.of(calls)).build();
    }

    /**
     * A user turn with text, an inline PNG, an https image (image/jpeg) and a data: URL image; an
     * assistant turn with two calls and no text (the second with blank arguments); their answers; an
     * assistant turn with text and a call.
     */
    public static List<Message> multimodalConversation() {
        return List.of(
                userWithParts(textPart("What is in these?"), inlineImage("image/png", PNG),
                        urlImage("https://example.org/cat.jpg", "image/jpeg"),
                        urlImage("data:image/png;base64," + PNG_BASE64, null)),
                assistantCalling("", new MessageToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                        new MessageToolCall("call_2", "get_time", "")),
                toolAnswer("get_weather", "call_1", "sunny"),
                toolAnswer("get_time", "call_2", "10:00"),
                assistantCalling("Sunny.", new MessageToolCall("call_3", "get_time", "{\"tz\":\"CET\"}")));
    }

    public static ToolDefinition weatherTool() {
        return new ToolDefinition("get_weather", "Current weather of a city",
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    }

    /** A header of a received request, whatever the case of its name; null if absent. */
    public static String header(FixtureServer.Received received, String name) {
        return received.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    /** The received body as a JSON tree. */
    public static JsonNode body(FixtureServer.Received received) {
        try {
            return JSON.readTree(received.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A test resource as UTF-8 text, byte for byte (line endings kept). */
    public static String resource(String path) {
        try (InputStream in = TestCalls.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
