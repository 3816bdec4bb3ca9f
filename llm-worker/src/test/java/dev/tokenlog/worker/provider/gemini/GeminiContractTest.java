package dev.tokenlog.worker.provider.gemini;

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
 * The shared provider contract against Gemini API streams (fixtures/gemini/*.sse, data-only events
 * separated by CRLF CRLF as Google sends them). Function calls carry no id: the adapter numbers them
 * call_1, call_2, … which is the contract's default expectation.
 */
class GeminiContractTest extends ProviderContractTest {
    /** The contract's key, for the other tests of this package. */
    static final String KEY = API_KEY;

    static ProviderSettings settings(String baseUrl, Map<String, String> options) {
        return new ProviderSettings("gemini", baseUrl, Optional.of(API_KEY), Duration.ofSeconds(2), Map.of(), options);
    }

    @Override
    protected Provider provider(String baseUrl) {
        return new GeminiProvider(settings(baseUrl, Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return TestCalls.resource("/fixtures/gemini/" + scenario.name().toLowerCase() + ".sse");
    }

    @Override
    protected String contentType() {
        return "text/event-stream";
    }

    /** Google's error shape: {"error":{"code","message","status"}}. */
    @Override
    protected String errorBody(int status, String message) {
        String canonical = switch (status) {
            case 401 -> "UNAUTHENTICATED";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 503 -> "UNAVAILABLE";
            default -> "INTERNAL";
        };
        return "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\"" + canonical + "\"}}";
    }

    @Override
    protected void assertRequest(FixtureServer.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1beta/models/test-model:streamGenerateContent?alt=sse");
        assertThat(header(request, "x-goog-api-key")).isEqualTo(API_KEY);
        assertThat(header(request, "authorization")).isNull();
        JsonNode body = body(request);
        assertThat(body.path("contents").toString())
                .isEqualTo("[{\"role\":\"user\",\"parts\":[{\"text\":\"Say hello\"}]}]");
        assertThat(body.path("systemInstruction").toString()).isEqualTo("{\"parts\":[{\"text\":\"Be brief.\"}]}");
        assertThat(body.path("generationConfig").toString()).isEqualTo("{\"maxOutputTokens\":64,\"temperature\":0.5}");
        assertThat(body.has("tools")).isFalse();
        assertThat(body.has("model")).as("the model is in the URL").isFalse();
    }
}
