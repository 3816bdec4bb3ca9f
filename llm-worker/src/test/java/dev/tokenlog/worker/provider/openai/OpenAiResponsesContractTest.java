package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.ProviderContractTest;
import java.util.Map;

/** The provider contract for the Responses API, with streams in its documented event format. */
class OpenAiResponsesContractTest extends ProviderContractTest {

    @Override
    protected Provider provider(String baseUrl) {
        return new OpenAiResponsesProvider(OpenAiFixtures.settings(baseUrl + "/v1", API_KEY, Map.of(), Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return OpenAiFixtures.wire("openai-responses", scenario);
    }

    @Override
    protected String contentType() {
        return "text/event-stream; charset=utf-8";
    }

    @Override
    protected String errorBody(int status, String message) {
        return OpenAiFixtures.errorBody(status, message);
    }

    @Override
    protected void assertRequest(FixtureServer.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/responses");
        assertThat(OpenAiFixtures.header(request, "Authorization")).containsExactly("Bearer " + API_KEY);
        JsonNode body = OpenAiFixtures.body(request);
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("input")).hasSize(2);
        assertThat(body.path("input").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("input").get(1).path("content").asText()).isEqualTo("Say hello");
        assertThat(body.path("max_output_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.has("messages")).isFalse();
        assertThat(body.has("stream_options")).isFalse();
        assertThat(body.has("max_tokens")).isFalse();
    }
}
