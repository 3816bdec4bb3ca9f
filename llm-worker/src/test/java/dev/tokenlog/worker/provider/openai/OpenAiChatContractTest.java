package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.ProviderContractTest;
import java.util.Map;

/** The provider contract for Chat Completions, with streams in OpenAI's documented wire format. */
class OpenAiChatContractTest extends ProviderContractTest {

    @Override
    protected Provider provider(String baseUrl) {
        return new OpenAiChatProvider(OpenAiFixtures.settings(baseUrl + "/v1", API_KEY, Map.of(), Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return OpenAiFixtures.wire("openai-chat", scenario);
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
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(OpenAiFixtures.header(request, "Authorization")).containsExactly("Bearer " + API_KEY);
        assertThat(OpenAiFixtures.header(request, "Content-Type")).containsExactly("application/json");
        JsonNode body = OpenAiFixtures.body(request);
        assertThat(body.path("model").asText()).isEqualTo("test-model");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.path("messages")).hasSize(2);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(body.path("messages").get(1).path("role").asText()).isEqualTo("user");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("Say hello");
        assertThat(body.path("messages").get(1).has("name")).isFalse();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.has("top_p")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }
}
