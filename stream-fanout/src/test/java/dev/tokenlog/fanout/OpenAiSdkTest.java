package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.SseException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}), unchanged, pointed at the gateway:
 * streamed and non-streamed calls to the mock provider, a failure mid-stream, an unknown model, and
 * a tool-calling turn relayed from an OpenAI-compatible upstream through the real worker.
 */
@QuarkusTest
@TestProfile(OpenAiTestProfile.class)
class OpenAiSdkTest {
    private static final List<String> FAST = List.of("mock.tps", "0", "mock.ttft-ms", "0");
    private static StubOpenAiUpstream upstream;
    private static WorkerProcess worker;

    @TestHTTPResource("/")
    String base;

    @BeforeEach
    void awaitGatewayReady() {
        new GatewayApi(base).awaitReady(Duration.ofSeconds(120));
    }

    @BeforeAll
    static void startWorker() throws Exception {
        upstream = StubOpenAiUpstream.start();
        worker = WorkerProcess.start(Map.of("TOKENLOG_PROVIDERS_STUB_TYPE", "openai",
                "TOKENLOG_PROVIDERS_STUB_BASE_URL", upstream.baseUrl(), "TOKENLOG_PROVIDERS_STUB_API_KEY", "stub-key"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aStreamedCallAccumulatesToThePromptWithUsageAndTheStreamIdHeader() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock/echo")
                .addUserMessage("hello from the official sdk").metadata(metadata(FAST))
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();

        String streamId;
        try (HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw =
                     client().chat().completions().withRawResponse().createStreaming(params);
             StreamResponse<ChatCompletionChunk> chunks = raw.parse()) {
            streamId = raw.headers().values("X-Stream-Id").getFirst();
            chunks.stream().forEach(accumulator::accumulate);
        }

        ChatCompletion completion = accumulator.chatCompletion();
        assertThat(completion.id()).isEqualTo("chatcmpl-" + streamId);
        assertThat(completion.model()).isEqualTo("mock/echo");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().getFirst().message().content()).hasValue("hello from the official sdk");
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(5);
        assertThat(usage.completionTokens()).isEqualTo(5);
        assertThat(usage.totalTokens()).isEqualTo(10);
    }

    @Test
    void aPacedStreamWithHeartbeatsBetweenItsEventsReadsToTheEnd() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock/lorem")
                .addUserMessage("go").maxCompletionTokens(4)
                .metadata(metadata(List.of("mock.tps", "2", "mock.ttft-ms", "600"))).build();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();

        try (StreamResponse<ChatCompletionChunk> chunks = client().chat().completions().createStreaming(params)) {
            chunks.stream().forEach(accumulator::accumulate);
        }

        assertThat(accumulator.chatCompletion().choices().getFirst().message().content())
                .hasValue("lorem ipsum dolor sit");
    }

    @Test
    void aNonStreamedCallToAnAliasReturnsTheCompletion() {
        HttpResponseFor<ChatCompletion> raw = client().chat().completions().withRawResponse().create(
                ChatCompletionCreateParams.builder().model("fast").addSystemMessage("be brief")
                        .addUserMessage("plain request and response").maxCompletionTokens(16)
                        .metadata(metadata(FAST)).build());

        ChatCompletion completion = raw.parse();
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(completion.id()).isEqualTo("chatcmpl-" + raw.headers().values("X-Stream-Id").getFirst());
        assertThat(completion.model()).isEqualTo("mock/echo");
        assertThat(completion.choices().getFirst().message().content()).hasValue("plain request and response");
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(4);
    }

    @Test
    void aFollowUpTurnThatSendsTheSdksOwnAnswerMessageBackIsAccepted() {
        ChatCompletion first = client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mock/echo").addUserMessage("first turn").metadata(metadata(FAST)).build());

        ChatCompletion second = client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mock/echo").addUserMessage("first turn").addMessage(first.choices().getFirst().message())
                .addUserMessage("second turn").metadata(metadata(FAST)).build());

        assertThat(second.choices().getFirst().message().content()).hasValue("second turn");
    }

    @Test
    void aFailureMidStreamSurfacesAsTheSdksSseExceptionWithTheErrorObject() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("mock/lorem")
                .addUserMessage("go").maxCompletionTokens(10)
                .metadata(metadata(List.of("mock.tps", "0", "mock.ttft-ms", "0", "mock.fail-after", "2"))).build();
        StringBuilder received = new StringBuilder();

        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> chunks = client().chat().completions().createStreaming(params)) {
                chunks.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(received::append)));
            }
        }).isInstanceOfSatisfying(SseException.class, e -> {
            assertThat(e.code()).hasValue("provider_error");
            assertThat(e.type()).hasValue("server_error");
            assertThat(e.getMessage()).contains("mock failure injected after 2 tokens");
        });
        assertThat(received.toString()).isEqualTo("lorem ipsum ");
    }

    @Test
    void aModelNameThatIsNeitherProviderModelNorAnAliasIsTheSdksNotFoundException() {
        assertThatThrownBy(() -> client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("x").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).hasValue("model_not_found");
                    assertThat(e.type()).hasValue("invalid_request_error");
                });
    }

    @Test
    void aToolCallingTurnReachesTheUpstreamIntactAndStreamsBackAsToolCallsWithReasoning() {
        ChatCompletionCreateParams params = toolTurn(ChatCompletionCreateParams.builder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()));
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        StringBuilder reasoning = new StringBuilder();

        try (StreamResponse<ChatCompletionChunk> chunks = client().chat().completions().createStreaming(params)) {
            chunks.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                chunk.choices().forEach(c -> {
                    JsonValue text = c.delta()._additionalProperties().get("reasoning_content");
                    if (text != null) {
                        reasoning.append(text.asStringOrThrow());
                    }
                });
            });
        }

        ChatCompletion completion = accumulator.chatCompletion();
        assertToolCall(completion);
        assertThat(reasoning.toString()).isEqualTo(StubOpenAiUpstream.REASONING);
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(12);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(7);
        assertUpstreamGotTheConversation(upstream.requests().getLast());
    }

    @Test
    void aNonStreamedToolCallingTurnReturnsTheToolCallsAndTheReasoning() {
        ChatCompletion completion = client().chat().completions().create(toolTurn(ChatCompletionCreateParams.builder()));

        assertToolCall(completion);
        assertThat(completion.choices().getFirst().message()._additionalProperties().get("reasoning_content")
                .asStringOrThrow()).isEqualTo(StubOpenAiUpstream.REASONING);
        assertUpstreamGotTheConversation(upstream.requests().getLast());
    }

    /** A second turn: the user's text and image, the assistant's earlier call and its answer, and the tool. */
    private static ChatCompletionCreateParams toolTurn(ChatCompletionCreateParams.Builder builder) {
        return builder.model("stub/tool-model")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Weather here?").build()),
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                                ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.org/street.jpg")
                                        .build()).build())))
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(
                        ChatCompletionMessageFunctionToolCall.builder().id("call_0").function(
                                ChatCompletionMessageFunctionToolCall.Function.builder().name("locate")
                                        .arguments("{}").build()).build()).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_0").content("Paris").build())
                .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                        .description("Current weather in a city").parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .build()).build()).build())
                .build();
    }

    private static void assertToolCall(ChatCompletion completion) {
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(completion.model()).isEqualTo("stub/tool-model");
        assertThat(choice.message().toolCalls().orElseThrow()).singleElement().satisfies(call -> {
            ChatCompletionMessageFunctionToolCall function = call.asFunction();
            assertThat(function.id()).isEqualTo(StubOpenAiUpstream.CALL_ID);
            assertThat(function.function().name()).isEqualTo("get_weather");
            assertThat(function.function().arguments()).isEqualTo(StubOpenAiUpstream.ARGUMENTS);
        });
    }

    private static void assertUpstreamGotTheConversation(JsonNode sent) {
        assertThat(sent.get("model").asText()).isEqualTo("tool-model");
        assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/function/parameters")).isEqualTo(
                TestJson.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));
        JsonNode messages = sent.get("messages");
        assertThat(messages.at("/0/content/1/image_url/url").asText()).isEqualTo("https://example.org/street.jpg");
        assertThat(messages.at("/1/tool_calls/0/function/name").asText()).isEqualTo("locate");
        assertThat(messages.at("/2/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo("call_0");
    }

    private static ChatCompletionCreateParams.Metadata metadata(List<String> keyValues) {
        ChatCompletionCreateParams.Metadata.Builder metadata = ChatCompletionCreateParams.Metadata.builder();
        for (int i = 0; i < keyValues.size(); i += 2) {
            metadata.putAdditionalProperty(keyValues.get(i), JsonValue.from(keyValues.get(i + 1)));
        }
        return metadata.build();
    }

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(base.replaceAll("/$", "") + "/v1").apiKey("any-key").build();
    }
}
