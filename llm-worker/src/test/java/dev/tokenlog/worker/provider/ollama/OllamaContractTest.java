package dev.tokenlog.worker.provider.ollama;

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

/**
 * The shared provider contract against Ollama /api/chat NDJSON streams (fixtures/ollama/*.ndjson).
 * Tool calls arrive whole and without id: the adapter numbers them call_1, call_2, …
 */
class OllamaContractTest extends ProviderContractTest {

    static ProviderSettings settings(String baseUrl, Optional<String> key, Map<String, String> options) {
        return new ProviderSettings("local", baseUrl, key, Duration.ofSeconds(2), Map.of(), options);
    }

    @Override
    protected Provider provider(String baseUrl) {
        return new OllamaProvider(settings(baseUrl, Optional.of(API_KEY), Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return TestCalls.resource("/fixtures/ollama/" + scenario.name().toLowerCase() + ".ndjson");
    }

    @Override
    protected String contentType() {
        return "application/x-ndjson";
    }

    /** Ollama's error shape: {"error":"…"}. */
    @Override
    protected String errorBody(int status, String message) {
        return "{\"error\":\"" + message + "\"}";
    }

    @Override
    protected void assertRequest(FixtureServer.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/chat");
        assertThat(header(request, "authorization")).isEqualTo("Bearer " + API_KEY);
        JsonNode body = body(request);
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("messages").toString()).isEqualTo(
                "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello\"}]");
        assertThat(body.path("options").toString()).isEqualTo("{\"num_predict\":64,\"temperature\":0.5}");
        assertThat(body.has("think")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }
}
