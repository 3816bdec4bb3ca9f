package dev.tokenlog.worker.provider.watsonx;

import static dev.tokenlog.worker.provider.contract.TestCalls.body;
import static dev.tokenlog.worker.provider.contract.TestCalls.message;
import static dev.tokenlog.worker.provider.contract.WireCase.fails;
import static dev.tokenlog.worker.provider.contract.WireCase.ok;
import static dev.tokenlog.worker.provider.watsonx.WatsonxContractTest.IAM_PATH;
import static dev.tokenlog.worker.provider.watsonx.WatsonxContractTest.settings;
import static dev.tokenlog.worker.provider.watsonx.WatsonxContractTest.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderEvent.Finished;
import dev.tokenlog.worker.provider.ProviderEvent.Text;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallArguments;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallEnd;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallStart;
import dev.tokenlog.worker.provider.ProviderEvent.Usage;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import dev.tokenlog.worker.provider.contract.WireCase;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * watsonx.ai chat_stream quirks (OpenAI-like chunks, PROVIDERS.md "Edge cases"), one named row each,
 * replayed by a real HTTP server; plus the request body and the entry's option checks.
 */
class WatsonxQuirksTest {
    private static final String HI = data("{'choices':[{'index':0,'delta':{'content':'Hi'},'finish_reason':null}]}");
    private static final String USAGE = data("{'choices':[],'usage':{'prompt_tokens':7,'completion_tokens':2,'total_tokens':9}}");

    private FixtureServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FixtureServer();
        server.route(IAM_PATH, token("token-A", 3600));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Stream<WireCase> cases() {
        return Stream.of(
                ok("usage in a trailing chunk without choices comes before Finished",
                        HI + finish("stop") + USAGE, new Text("Hi"), new Usage(7, 2, 0, 0), new Finished(FinishReason.STOP, "stop")),
                ok("usage on the finish chunk itself",
                        HI + data("{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':{'prompt_tokens':7,'completion_tokens':2}}"),
                        new Text("Hi"), new Usage(7, 2, 0, 0), new Finished(FinishReason.STOP, "stop")),
                ok("no usage at all", HI + finish("stop"), new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                ok("[DONE] ends the stream; what follows is ignored",
                        HI + finish("stop") + "data: [DONE]\n\n" + data("{'choices':[{'index':0,'delta':{'content':'late'}}]}"),
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                ok("event: close and unknown fields are ignored",
                        HI + "event: close\ndata: {}\n\n" + data("{'choices':[{'index':0,'delta':{'refusal':null},'finish_reason':'stop'}],'obfuscation':'xx'}"),
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                ok("time_limit is OTHER with the raw reason kept", HI + finish("time_limit"),
                        new Text("Hi"), new Finished(FinishReason.OTHER, "time_limit")),
                ok("content_filter", finish("content_filter"), new Finished(FinishReason.CONTENT_FILTER, "content_filter")),
                ok("stop after a tool call is TOOL_CALLS; a call without id gets one",
                        data("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'type':'function','function':{'name':'ping','arguments':'{}'}}]}}]}")
                                + finish("stop"),
                        new ToolCallStart(0, "call_1", "ping"), new ToolCallArguments(0, "{}"), new ToolCallEnd(0),
                        new Finished(FinishReason.TOOL_CALLS, "stop")),
                ok("parallel calls interleaved by index",
                        data("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'a','function':{'name':'f','arguments':''}},"
                                + "{'index':1,'id':'b','function':{'name':'g','arguments':'{\\\"y\\\":'}}]}}]}")
                                + data("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{}'}},{'index':1,'function':{'arguments':'2}'}}]}}]}")
                                + finish("tool_calls"),
                        new ToolCallStart(0, "a", "f"), new ToolCallStart(1, "b", "g"), new ToolCallArguments(1, "{\"y\":"),
                        new ToolCallArguments(0, "{}"), new ToolCallArguments(1, "2}"), new ToolCallEnd(0), new ToolCallEnd(1),
                        new Finished(FinishReason.TOOL_CALLS, "tool_calls")),
                fails("[DONE] without a finish reason is truncation", HI + "data: [DONE]\n\n", "TRUNCATED", true, new Text("Hi")),
                fails("an errors chunk without event: error still fails",
                        HI + data("{'errors':[{'code':'model_error','message':'boom'}],'status_code':500}"),
                        "PROVIDER_UNAVAILABLE", true, new Text("Hi")),
                fails("an in-band 429 is a retryable rate limit",
                        HI + error("{'errors':[{'code':'token_quota_reached','message':'quota'}],'status_code':429}"),
                        "RATE_LIMITED", true, new Text("Hi")),
                fails("an in-band 400 is not retryable",
                        error("{'errors':[{'code':'json_validation_error','message':'bad'}],'status_code':400}"),
                        "PROVIDER_ERROR", false),
                fails("a tool-call fragment before the call's name is a protocol error",
                        data("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{}'}}]}}]}"),
                        "PROVIDER_PROTOCOL", false),
                fails("invalid JSON is a protocol error", "data: {not json\n\n", "PROVIDER_PROTOCOL", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalises(WireCase wireCase) {
        wireCase.check(server, new WatsonxProvider(settings(server.baseUrl(), Map.of())), "text/event-stream");
    }

    @Test
    void sendsToolsToolAnswersAndTheSpace() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", finish("stop")));
        GenerationParams params = GenerationParams.newBuilder().setTopP(0.9).setStop(List.of("END"))
                .setTools(List.of(TestCalls.weatherTool())).build();
        new WatsonxProvider(settings(server.baseUrl(), Map.of("space-id", "space-9", "version", "2025-04-23")))
                .stream(TestCalls.call(List.of(message("user", "Weather?"), message("assistant", "Checking."),
                        TestCalls.toolAnswer("get_weather", "call_1", "sunny")), params), event -> { });
        FixtureServer.Received request = server.received().get(0);
        assertThat(request.path()).isEqualTo("/ml/v1/text/chat_stream?version=2025-04-23");
        var body = body(request);
        assertThat(body.path("space_id").asText()).isEqualTo("space-9");
        assertThat(body.has("project_id")).isFalse();
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("stop").toString()).isEqualTo("[\"END\"]");
        assertThat(body.path("tools").toString()).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Current weather of a city\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]");
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather?\"}]},"
                + "{\"role\":\"assistant\",\"content\":\"Checking.\"},"
                + "{\"role\":\"tool\",\"content\":\"sunny\",\"tool_call_id\":\"call_1\"}]");
    }

    @Test
    void sendsUserImagesAsDataUrlsAndRefusesImageUrls() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", finish("stop")));
        WatsonxProvider provider = new WatsonxProvider(settings(server.baseUrl(), Map.of()));
        GenerationParams none = GenerationParams.newBuilder().build();
        provider.stream(TestCalls.call(List.of(TestCalls.userWithParts(TestCalls.textPart("What is this?"),
                TestCalls.inlineImage("image/png", TestCalls.PNG))), none), event -> { });
        assertThat(body(server.received().get(0)).path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + TestCalls.PNG_BASE64 + "\"}}]}]");

        var byUrl = TestCalls.call(List.of(TestCalls.userWithParts(TestCalls.urlImage("https://example.org/cat.jpg", null))), none);
        assertThatThrownBy(() -> provider.stream(byUrl, event -> { })).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.code()).isEqualTo("INVALID_REQUEST"))
                .hasMessage("messages[0] has an image by URL (https://example.org/cat.jpg), but watsonx.ai takes images"
                        + " only as base64 data; send a data: URL or inline data");
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void badEntriesFailAtStartUpNamingTheSetting() {
        String url = server.baseUrl();
        assertThatThrownBy(() -> new WatsonxProvider(settings(url, Map.of("space-id", "s", "project-id", "p"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("project-id").hasMessageContaining("space-id");
        var noScope = new dev.tokenlog.worker.provider.ProviderSettings("watsonx", url, java.util.Optional.of("k-1234"),
                java.time.Duration.ofSeconds(1), Map.of(), Map.of());
        assertThatThrownBy(() -> new WatsonxProvider(noScope)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("project-id");
        var noKey = new dev.tokenlog.worker.provider.ProviderSettings("watsonx", url, java.util.Optional.empty(),
                java.time.Duration.ofSeconds(1), Map.of(), Map.of("project-id", "p"));
        assertThatThrownBy(() -> new WatsonxProvider(noKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("api-key");
    }

    private static String finish(String reason) {
        return data("{'choices':[{'index':0,'delta':{},'finish_reason':'" + reason + "'}]}");
    }

    private static String error(String json) {
        return "id: 2\nevent: error\ndata: " + json.replace('\'', '"') + "\n\n";
    }

    /** One SSE message event as watsonx frames it; single quotes stand for JSON's double quotes. */
    private static String data(String json) {
        return "id: 1\nevent: message\ndata: " + json.replace('\'', '"') + "\n\n";
    }
}
