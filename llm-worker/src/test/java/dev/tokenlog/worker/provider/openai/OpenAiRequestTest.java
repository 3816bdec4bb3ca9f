package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
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
    /** A user turn with an inline image, an image URL and a data: URL; two calls, their answers, and a turn with text and a call. */
    private static final List<Message> MULTIMODAL = List.of(
            TestCalls.userWithParts(TestCalls.textPart("What is in these?"), TestCalls.inlineImage("image/png", TestCalls.PNG),
                    TestCalls.urlImage("https://example.org/cat.jpg", null),
                    TestCalls.urlImage("data:image/png;base64," + TestCalls.PNG_BASE64, null)),
            TestCalls.assistantCalling("", new MessageToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                    new MessageToolCall("call_2", "get_time", "")),
            TestCalls.toolAnswer("get_weather", "call_1", "sunny"),
            TestCalls.toolAnswer("get_time", "call_2", "10:00"),
            TestCalls.assistantCalling("Sunny, 10:00.", new MessageToolCall("call_3", "get_time", "{}")));
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
    void chatSendsImagePartsAsImageUrlsAndAssistantToolCalls() throws Exception {
        JsonNode body = OpenAiFixtures.body(send(chat(Map.of(), Map.of()), MULTIMODAL, GenerationParams.newBuilder().build()));
        assertThat(body.path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"What is in these?"},
                   {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}},
                   {"type":"image_url","image_url":{"url":"https://example.org/cat.jpg"}},
                   {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}}]},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                   {"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]},
                 {"role":"tool","content":"sunny","name":"get_weather","tool_call_id":"call_1"},
                 {"role":"tool","content":"10:00","name":"get_time","tool_call_id":"call_2"},
                 {"role":"assistant","content":"Sunny, 10:00.","tool_calls":[
                   {"id":"call_3","type":"function","function":{"name":"get_time","arguments":"{}"}}]}]
                """.formatted(TestCalls.PNG_BASE64, TestCalls.PNG_BASE64)));
    }

    @Test
    void responsesSendsInputImagesAndFunctionCallItems() throws Exception {
        Provider responses = new OpenAiResponsesProvider(OpenAiFixtures.settings(server.baseUrl() + "/v1", KEY,
                Map.of(), Map.of()));
        server.then(FixtureServer.Reply.stream("text/event-stream",
                "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n"));
        responses.stream(OpenAiFixtures.call(MULTIMODAL, GenerationParams.newBuilder().build()), e -> { });
        assertThat(OpenAiFixtures.body(server.received().get(0)).path("input")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"input_text","text":"What is in these?"},
                   {"type":"input_image","image_url":"data:image/png;base64,%s"},
                   {"type":"input_image","image_url":"https://example.org/cat.jpg"},
                   {"type":"input_image","image_url":"data:image/png;base64,%s"}]},
                 {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"},
                 {"type":"function_call","call_id":"call_2","name":"get_time","arguments":""},
                 {"type":"function_call_output","call_id":"call_1","output":"sunny"},
                 {"type":"function_call_output","call_id":"call_2","output":"10:00"},
                 {"role":"assistant","content":"Sunny, 10:00."},
                 {"type":"function_call","call_id":"call_3","name":"get_time","arguments":"{}"}]
                """.formatted(TestCalls.PNG_BASE64, TestCalls.PNG_BASE64)));
    }

    @Test
    void responsesRefusesAnImageWhereOnlyTextIsTakenBeforeSending() {
        Provider responses = new OpenAiResponsesProvider(OpenAiFixtures.settings(server.baseUrl() + "/v1", KEY,
                Map.of(), Map.of()));
        Message toolWithImage = Message.newBuilder().setRole("tool").setContent("").setToolCallId("call_1")
                .setParts(List.of(TestCalls.urlImage("https://example.org/shot.png", "image/png"))).build();
        assertThatThrownBy(() -> responses.stream(OpenAiFixtures.call(List.of(toolWithImage),
                GenerationParams.newBuilder().build()), e -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.getMessage()).contains("messages[0] (role tool) holds an image")
                            .contains("provider 'openai-test' takes only text there");
                });
        assertThat(server.received()).isEmpty();
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
        return send(provider, CONVERSATION, params);
    }

    private FixtureServer.Received send(Provider provider, List<Message> messages, GenerationParams params)
            throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", "data: [DONE]\n\n"));
        provider.stream(OpenAiFixtures.call(messages, params), e -> { });
        return server.received().get(server.received().size() - 1);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
