package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.ProviderContractTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Shared pieces of the OpenAI adapter tests: recorded streams, settings, request inspection. */
final class OpenAiFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiFixtures() {}

    /** {@code fixtures/<dir>/<scenario>.sse}, e.g. {@code fixtures/openai-chat/tool_calls.sse}. */
    static String wire(String dir, ProviderContractTest.Scenario scenario) {
        String path = "/fixtures/" + dir + "/" + scenario.name().toLowerCase(Locale.ROOT) + ".sse";
        try (InputStream in = OpenAiFixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call with a system and a user message, default parameters, and no stop hook. */
    static ProviderCall call() {
        return call(List.of(new Message("system", "Be brief.", null, null, List.of(), List.of()),
                        new Message("user", "Say hello", null, null, List.of(), List.of())),
                GenerationParams.newBuilder().build());
    }

    static ProviderCall call(List<Message> messages, GenerationParams params) {
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

    static ProviderSettings settings(String baseUrl, String apiKey, Map<String, String> headers,
                                     Map<String, String> options) {
        return new ProviderSettings("openai-test", baseUrl, Optional.ofNullable(apiKey), Duration.ofSeconds(5),
                headers, options);
    }

    /** The OpenAI error body shape: {@code {"error":{message,type,param,code}}}. */
    static String errorBody(int status, String message) {
        String type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":null}}";
    }

    /** A request header, whatever the case of its name. */
    static List<String> header(FixtureServer.Received request, String name) {
        return request.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .findFirst().map(Map.Entry::getValue).orElse(List.of());
    }

    static JsonNode body(FixtureServer.Received request) {
        try {
            return JSON.readTree(request.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
