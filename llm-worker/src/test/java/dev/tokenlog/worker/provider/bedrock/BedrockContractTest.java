package dev.tokenlog.worker.provider.bedrock;

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
 * The shared provider contract against ConverseStream: the fixtures (fixtures/bedrock/*.events) are
 * encoded into real event-stream frames and decoded by the AWS SDK the adapter runs on. The entry
 * has an api-key, so it authenticates with a Bedrock API key as bearer token.
 */
class BedrockContractTest extends ProviderContractTest {

    static ProviderSettings settings(String baseUrl, Optional<String> key, Map<String, String> options) {
        Map<String, String> withRegion = new java.util.HashMap<>(options);
        withRegion.putIfAbsent("region", "us-east-1");
        return new ProviderSettings("bedrock", baseUrl, key, Duration.ofSeconds(2), Map.of(), Map.copyOf(withRegion));
    }

    @Override
    protected Provider provider(String baseUrl) {
        return new BedrockProvider(settings(baseUrl, Optional.of(API_KEY), Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return TestCalls.resource("/fixtures/bedrock/" + scenario.name().toLowerCase() + ".events");
    }

    @Override
    protected byte[] wire(Scenario scenario) {
        return EventStreamFrames.encode(fixture(scenario));
    }

    @Override
    protected String contentType() {
        return EventStreamFrames.CONTENT_TYPE;
    }

    /**
     * Bedrock's error body is {"message":"…"}; the type travels in the x-amzn-ErrorType header, which
     * the shared error tests do not send: they pin the fallback by HTTP status (typed errors are in
     * BedrockErrorsTest).
     */
    @Override
    protected String errorBody(int status, String message) {
        return "{\"message\":\"" + message + "\"}";
    }

    @Override
    protected void assertRequest(FixtureServer.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/model/test-model/converse-stream");
        assertThat(header(request, "authorization")).isEqualTo("Bearer " + API_KEY);
        JsonNode body = body(request);
        assertThat(body.has("modelId")).isFalse(); // it is in the path
        assertThat(body.path("system").toString()).isEqualTo("[{\"text\":\"Be brief.\"}]");
        assertThat(body.path("messages").toString())
                .isEqualTo("[{\"role\":\"user\",\"content\":[{\"text\":\"Say hello\"}]}]");
        assertThat(body.path("inferenceConfig").toString()).isEqualTo("{\"maxTokens\":64,\"temperature\":0.5}");
        assertThat(body.has("toolConfig")).isFalse();
    }
}
