package dev.tokenlog.worker.provider.watsonx;

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
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;

/**
 * The shared provider contract against watsonx.ai chat_stream (fixtures/watsonx/*.sse, in the shape
 * IBM's own SDK tests record). The fixture server also plays IBM Cloud IAM on {@value #IAM_PATH}.
 */
class WatsonxContractTest extends ProviderContractTest {
    static final String IAM_PATH = "/identity/token";
    static final String TOKEN = "eyJraWQiOiIyMDI1MDEwMSIsImFsZyI6IlJTMjU2In0.test-access-token";
    static final String PROJECT = "63dc4cf1-252f-424b-b52d-5cdd9814987f";

    static ProviderSettings settings(String baseUrl, Map<String, String> options) {
        Map<String, String> all = new HashMap<>(options);
        all.putIfAbsent("iam-url", baseUrl);
        if (!all.containsKey("space-id")) {
            all.putIfAbsent("project-id", PROJECT);
        }
        return new ProviderSettings("watsonx", baseUrl, Optional.of(API_KEY), Duration.ofSeconds(2), Map.of(),
                Map.copyOf(all));
    }

    /** IAM's answer to an api-key exchange. */
    static FixtureServer.Reply token(String accessToken, long expiresIn) {
        long now = System.currentTimeMillis() / 1000;
        return FixtureServer.Reply.error(200, Map.of("content-type", "application/json"), "{\"access_token\":\""
                + accessToken + "\",\"refresh_token\":\"not_supported\",\"token_type\":\"Bearer\",\"expires_in\":"
                + expiresIn + ",\"expiration\":" + (now + expiresIn) + ",\"scope\":\"ibm openid\"}");
    }

    @BeforeEach
    void iam() {
        server.route(IAM_PATH, token(TOKEN, 3600));
    }

    @Override
    protected Provider provider(String baseUrl) {
        return new WatsonxProvider(settings(baseUrl, Map.of()));
    }

    @Override
    protected String fixture(Scenario scenario) {
        return TestCalls.resource("/fixtures/watsonx/" + scenario.name().toLowerCase() + ".sse");
    }

    @Override
    protected String contentType() {
        return "text/event-stream; charset=utf-8";
    }

    /** watsonx errors: {"errors":[{"code","message","more_info"}],"trace","status_code"}. */
    @Override
    protected String errorBody(int status, String message) {
        String code = switch (status) {
            case 401 -> "authentication_token_expired";
            case 429 -> "token_quota_reached";
            default -> "internal_error";
        };
        return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"more_info\":"
                + "\"https://cloud.ibm.com/apidocs/watsonx-ai\"}],\"trace\":\"9f3e2c\",\"status_code\":" + status + "}";
    }

    /** A 401 renews the IAM token and sends the call once more before failing. */
    @Override
    protected int requestsPerAuthFailure() {
        return 2;
    }

    @Override
    protected void assertRequest(FixtureServer.Received request) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/ml/v1/text/chat_stream?version=2024-10-08");
        assertThat(header(request, "authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(header(request, "accept")).isEqualTo("text/event-stream");
        JsonNode body = body(request);
        assertThat(body.path("model_id").asText()).isEqualTo("test-model");
        assertThat(body.path("project_id").asText()).isEqualTo(PROJECT);
        assertThat(body.has("space_id")).isFalse();
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say hello\"}]}]");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.has("tools")).isFalse();
        assertThat(server.routed()).hasSize(1);
        assertThat(server.routed().get(0).body())
                .isEqualTo("grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=" + API_KEY);
    }
}
