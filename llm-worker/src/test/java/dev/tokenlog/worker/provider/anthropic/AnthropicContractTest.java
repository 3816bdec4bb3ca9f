package dev.tokenlog.worker.provider.anthropic;

import static dev.tokenlog.worker.provider.contract.TestCalls.body;
import static dev.tokenlog.worker.provider.contract.TestCalls.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.ProviderContractTest;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The shared provider contract against Anthropic Messages streams (fixtures/anthropic/*.sse). */
class AnthropicContractTest extends ProviderContractTest {

    static ProviderSettings settings(String baseUrl, Map<String, String> headers, Map<String, String> options) {
        return new ProviderSettings("claude", baseUrl, Optional.of(API_KEY), Duration.ofSeconds(2), headers, options);
    }

    @Override
    protected Provider provider(String baseUrl) {
        return new AnthropicProvider(settings(baseUrl, Map.of(), Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return TestCalls.resource("/fixtures/anthropic/" + scenario.name().toLowerCase() + ".sse");
    }

    @Override
    protected String contentType() {
        return "text/event-stream; charset=utf-8";
    }

    /** https://docs.anthropic.com/en/api/errors: {"type":"error","error":{"type","message"}}. */
    @Override
    protected String errorBody(int status, String message) {
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 529, 503 -> "overloaded_error";
            default -> "api_error";
        };
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}";
    }

    @Override
    protected void assertRequest(FixtureServer.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/messages");
        assertThat(header(request, "x-api-key")).isEqualTo(API_KEY);
        assertThat(header(request, "anthropic-version")).isEqualTo("2023-06-01");
        assertThat(header(request, "content-type")).isEqualTo("application/json");
        assertThat(header(request, "authorization")).isNull();
        JsonNode body = body(request);
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("system").asText()).isEqualTo("Be brief.");
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Say hello\"}]");
        assertThat(body.has("thinking")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }
}
