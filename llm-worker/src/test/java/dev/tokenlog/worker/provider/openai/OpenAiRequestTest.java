package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What both adapters send: URL, authentication, headers and body, per entry option. */
class OpenAiRequestTest {
    private static final String KEY = "sk-request-test-7788";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Message> CONVERSATION = List.of(
            new Message("system", "Be brief.", null, null, List.of(), List.of()),
            new Message("user", "Weather in Paris?", "alice", null, List.of(), List.of()),
            new Message("assistant", "Let me check.", null, null, List.of(), List.of()),
            new Message("tool", "{\"temp\":21}", null, "call_1", List.of(), List.of()));
    private static final GenerationParams FULL = GenerationParams.newBuilder()
            .setMaxTokens(100).setTemperature(0.2).setTopP(0.9).setStop(List.of("END"))
            .setTools(List.of(new ToolDefinition("get_weather", "Current weather",
                    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")))
            .build();

    private FixtureServer server;

    @BeforeEach
    void start() throws java.io.IOException {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void chatSendsMessagesParametersAndToolsAsDocumented() throws Exception {
        JsonNode body = OpenAiFixtures.body(send(chat(Map.of(), Map.of()), FULL));
        assertThat(body).isEqualTo(json("""
                {"model":"test-model",
                 "messages":[{"role":"system","content":"Be brief."},
                             {"role":"user","content":"Weather in Paris?","name":"alice"},
                             {"role":"assistant","content":"Let me check."},
                             {"role":"tool","content":"{\\"temp\\":21}","tool_call_id":"call_1"}],
                 "stream":true,"stream_options":{"include_usage":true},
                 "max_tokens":100,"temperature":0.2,"top_p":0.9,"stop":["END"],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}
                """));
    }

    @Test
    void maxTokensFieldAndIncludeUsageOptionsChangeTheBody() throws Exception {
        JsonNode body = OpenAiFixtures.body(send(chat(Map.of(),
                Map.of("max-tokens-field", "max_completion_tokens", "include-usage", "false")), FULL));
        assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(100);
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.has("stream_options")).isFalse();
    }

    @Test
    void azureAuthenticatesWithTheApiKeyHeaderAndAnApiVersion() throws Exception {
        Provider azure = new OpenAiChatProvider(OpenAiFixtures.settings(server.baseUrl() + "/openai/deployments/gpt-4o/",
                KEY, Map.of(), Map.of("auth", "api-key", "api-version", "2024-10-21")));
        FixtureServer.Received request = send(azure, GenerationParams.newBuilder().build());
        assertThat(request.path()).isEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
        assertThat(OpenAiFixtures.header(request, "api-key")).containsExactly(KEY);
        assertThat(OpenAiFixtures.header(request, "Authorization")).isEmpty();
    }

    @Test
    void extraHeadersAreSentAndNoKeyMeansNoAuthorization() throws Exception {
        Provider local = new OpenAiChatProvider(OpenAiFixtures.settings(server.baseUrl() + "/v1", null,
                Map.of("OpenAI-Organization", "org-123"), Map.of()));
        FixtureServer.Received request = send(local, GenerationParams.newBuilder().build());
        assertThat(OpenAiFixtures.header(request, "OpenAI-Organization")).containsExactly("org-123");
        assertThat(OpenAiFixtures.header(request, "Authorization")).isEmpty();
        assertThat(OpenAiFixtures.header(request, "Accept")).containsExactly("text/event-stream");
    }

    @Test
    void responsesSendsInputItemsAndFlatFunctionTools() throws Exception {
        Provider responses = new OpenAiResponsesProvider(OpenAiFixtures.settings(server.baseUrl() + "/v1", KEY,
                Map.of(), Map.of()));
        server.then(FixtureServer.Reply.stream("text/event-stream",
                "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n"));
        responses.stream(OpenAiFixtures.call(CONVERSATION, FULL), e -> { });
        FixtureServer.Received request = server.received().get(0);
        assertThat(request.path()).isEqualTo("/v1/responses");
        assertThat(OpenAiFixtures.body(request)).isEqualTo(json("""
                {"model":"test-model",
                 "input":[{"role":"system","content":"Be brief."},
                          {"role":"user","content":"Weather in Paris?"},
                          {"role":"assistant","content":"Let me check."},
                          {"type":"function_call_output","call_id":"call_1","output":"{\\"temp\\":21}"}],
                 "stream":true,"max_output_tokens":100,"temperature":0.2,"top_p":0.9,
                 "tools":[{"type":"function","name":"get_weather","description":"Current weather",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]}
                """));
    }

    @Test
    void aToolWhoseParametersAreNotAJsonObjectIsRejectedBeforeSending() {
        GenerationParams params = GenerationParams.newBuilder()
                .setTools(List.of(new ToolDefinition("broken", null, "{\"type\":"))).build();
        assertThatThrownBy(() -> chat(Map.of(), Map.of()).stream(OpenAiFixtures.call(CONVERSATION, params), e -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("broken");
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void aBadEntryFailsWhenTheAdapterIsCreated() {
        assertThatThrownBy(() -> new OpenAiChatProvider(OpenAiFixtures.settings("ftp://example.org", KEY, Map.of(),
                Map.of()))).isInstanceOf(IllegalStateException.class).hasMessageContaining("base-url");
        assertThatThrownBy(() -> new OpenAiChatProvider(OpenAiFixtures.settings(server.baseUrl(), KEY, Map.of(),
                Map.of("auth", "basic")))).isInstanceOf(IllegalStateException.class).hasMessageContaining("bearer or api-key");
        assertThatThrownBy(() -> new OpenAiResponsesProvider(OpenAiFixtures.settings(server.baseUrl(), KEY,
                Map.of("Connection", "close"), Map.of()))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("headers");
    }

    private Provider chat(Map<String, String> headers, Map<String, String> options) {
        return new OpenAiChatProvider(OpenAiFixtures.settings(server.baseUrl() + "/v1", KEY, headers, options));
    }

    private FixtureServer.Received send(Provider provider, GenerationParams params) throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", "data: [DONE]\n\n"));
        provider.stream(OpenAiFixtures.call(CONVERSATION, params), e -> { });
        return server.received().get(server.received().size() - 1);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
