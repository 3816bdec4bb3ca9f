package dev.tokenlog.worker.provider.gemini;

import static dev.tokenlog.worker.provider.contract.TestCalls.body;
import static dev.tokenlog.worker.provider.contract.TestCalls.header;
import static dev.tokenlog.worker.provider.contract.WireCase.fails;
import static dev.tokenlog.worker.provider.contract.WireCase.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderEvent.Finished;
import dev.tokenlog.worker.provider.ProviderEvent.Reasoning;
import dev.tokenlog.worker.provider.ProviderEvent.Text;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallArguments;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallEnd;
import dev.tokenlog.worker.provider.ProviderEvent.ToolCallStart;
import dev.tokenlog.worker.provider.ProviderEvent.Usage;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import dev.tokenlog.worker.provider.contract.WireCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gemini stream quirks (PROVIDERS.md "Google Gemini" and "Edge cases"), one named row each, replayed
 * by a real HTTP server; plus Vertex AI addressing and the request body.
 */
class GeminiQuirksTest {
    private static final String HI = "{'candidates':[{'content':{'parts':[{'text':'Hi'}],'role':'model'},'index':0}]}";
    private static final String DONE = "{'candidates':[{'content':{'parts':[{'text':'!'}],'role':'model'},'finishReason':'STOP','index':0}],"
            + "'usageMetadata':{'promptTokenCount':4,'candidatesTokenCount':2,'totalTokenCount':6}}";

    private FixtureServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Stream<WireCase> cases() {
        List<WireCase> cases = new ArrayList<>(List.of(
                ok("events separated by CRLF CRLF", data(HI, "\r\n\r\n") + data(DONE, "\r\n\r\n"), hiThenStop()),
                ok("events separated by LF LF", data(HI, "\n\n") + data(DONE, "\n\n"), hiThenStop()),
                ok("events separated by bare CR CR", data(HI, "\r\r") + data(DONE, "\r\r"), hiThenStop()),
                ok("data: without the space and keep-alive comments",
                        ": keep-alive\r\n\r\n" + "data:" + json(HI) + "\r\n\r\n" + data(DONE, "\r\n\r\n"), hiThenStop()),
                ok("cumulative usage on every chunk: the last wins, reported once before Finished",
                        chunk("{'text':'a'}", null, "{'promptTokenCount':10,'candidatesTokenCount':1}")
                                + chunk("{'text':'b'}", null, "{'promptTokenCount':10,'candidatesTokenCount':2}")
                                + chunk("{'text':'c'}", "'STOP'", "{'promptTokenCount':10,'candidatesTokenCount':3,"
                                        + "'cachedContentTokenCount':4,'thoughtsTokenCount':2,'totalTokenCount':15}"),
                        new Text("a"), new Text("b"), new Text("c"), new Usage(10, 3, 4, 2), new Finished(FinishReason.STOP, "STOP")),
                ok("usage in a trailing chunk after the finishReason",
                        chunk("{'text':'a'}", "'STOP'", null)
                                + data("{'usageMetadata':{'promptTokenCount':3,'candidatesTokenCount':1}}", "\r\n\r\n"),
                        new Text("a"), new Usage(3, 1, 0, 0), new Finished(FinishReason.STOP, "STOP")),
                ok("blocked prompt: promptFeedback.blockReason and no candidates finishes CONTENT_FILTER without text",
                        data("{'promptFeedback':{'blockReason':'PROHIBITED_CONTENT'},'usageMetadata':{'promptTokenCount':7,"
                                + "'totalTokenCount':7},'modelVersion':'gemini-2.5-flash'}", "\r\n\r\n"),
                        new Usage(7, 0, 0, 0), new Finished(FinishReason.CONTENT_FILTER, "PROHIBITED_CONTENT")),
                ok("thought parts are reasoning; thought signatures and empty parts are ignored",
                        chunk("{'text':'Hmm.','thought':true},{'text':''}", null, null)
                                + chunk("{'text':'Yes.','thoughtSignature':'CiQB0e2Kb'}", "'STOP'", null),
                        new Reasoning("Hmm."), new Text("Yes."), new Finished(FinishReason.STOP, "STOP")),
                ok("STOP after a functionCall in an earlier chunk is TOOL_CALLS; ids are kept when Gemini sends them",
                        chunk("{'functionCall':{'id':'fc-7','name':'get_weather','args':{'city':'Paris','days':2}}}", null, null)
                                + chunk("{'functionCall':{'name':'get_time'}}", null, null) + chunk("{'text':''}", "'STOP'", null),
                        new ToolCallStart(0, "fc-7", "get_weather"), new ToolCallArguments(0, "{\"city\":\"Paris\",\"days\":2}"),
                        new ToolCallEnd(0), new ToolCallStart(1, "call_2", "get_time"), new ToolCallArguments(1, "{}"),
                        new ToolCallEnd(1), new Finished(FinishReason.TOOL_CALLS, "STOP")),
                ok("a chunk with only safety ratings streams nothing",
                        data("{'candidates':[{'safetyRatings':[{'category':'HARM_CATEGORY_HATE_SPEECH','probability':'NEGLIGIBLE'}],"
                                + "'index':0}]}", "\r\n\r\n") + data(DONE, "\r\n\r\n"),
                        new Text("!"), new Usage(4, 2, 0, 0), new Finished(FinishReason.STOP, "STOP")),
                fails("mid-stream UNAVAILABLE after output is retryable and keeps the text",
                        data(HI, "\r\n\r\n") + data("{'error':{'code':503,'message':'The model is overloaded.','status':'UNAVAILABLE'}}", "\r\n\r\n"),
                        "PROVIDER_ERROR", true, new Text("Hi")),
                fails("mid-stream RESOURCE_EXHAUSTED is retryable",
                        data("{'error':{'code':429,'message':'Quota exceeded','status':'RESOURCE_EXHAUSTED'}}", "\r\n\r\n"),
                        "PROVIDER_ERROR", true),
                fails("mid-stream INVALID_ARGUMENT is not retryable",
                        data("{'error':{'code':400,'message':'bad','status':'INVALID_ARGUMENT'}}", "\r\n\r\n"),
                        "PROVIDER_ERROR", false),
                fails("EOF without any finishReason is a truncation", data(HI, "\r\n\r\n"), "TRUNCATED", true, new Text("Hi")),
                fails("a chunk cut before its blank line is discarded: truncation",
                        data(HI, "\r\n\r\n") + "data: " + json(DONE), "TRUNCATED", true, new Text("Hi")),
                fails("data that is not JSON is a protocol error", data(HI, "\r\n\r\n") + "data: {nope\r\n\r\n",
                        "PROVIDER_PROTOCOL", false, new Text("Hi"))));
        Map.of("MAX_TOKENS", FinishReason.LENGTH, "SAFETY", FinishReason.CONTENT_FILTER, "RECITATION", FinishReason.CONTENT_FILTER,
                "BLOCKLIST", FinishReason.CONTENT_FILTER, "PROHIBITED_CONTENT", FinishReason.CONTENT_FILTER,
                "SPII", FinishReason.CONTENT_FILTER, "MALFORMED_FUNCTION_CALL", FinishReason.OTHER,
                "LANGUAGE", FinishReason.OTHER, "SOMETHING_NEW", FinishReason.OTHER)
                .forEach((raw, reason) -> cases.add(ok("finishReason " + raw + " finishes " + reason,
                        chunk("{'text':'x'}", "'" + raw + "'", null), new Text("x"), new Finished(reason, raw))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalises(WireCase row) {
        row.check(server, new GeminiProvider(GeminiContractTest.settings(server.baseUrl(), Map.of())), "text/event-stream");
    }

    @Test
    void vertexModeUsesTheProjectPathAndABearerToken() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", TestCalls.resource("/fixtures/gemini/text.sse")));
        var provider = new GeminiProvider(GeminiContractTest.settings(server.baseUrl(),
                Map.of("vertex", "true", "project", "acme-prod", "location", "europe-west4")));
        provider.stream(TestCalls.simple(), event -> { });
        FixtureServer.Received received = server.received().get(0);
        assertThat(received.path()).isEqualTo("/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/"
                + "test-model:streamGenerateContent?alt=sse");
        assertThat(header(received, "authorization")).isEqualTo("Bearer " + GeminiContractTest.KEY);
        assertThat(header(received, "x-goog-api-key")).isNull();
    }

    @Test
    void vertexDefaultHostFollowsTheLocation() {
        assertThat(GeminiProvider.vertexBaseUrl("us-central1")).isEqualTo("https://us-central1-aiplatform.googleapis.com");
        assertThat(GeminiProvider.vertexBaseUrl("global")).isEqualTo("https://aiplatform.googleapis.com");
    }

    @Test
    void vertexModeWithoutProjectFailsAtStartUp() {
        assertThatThrownBy(() -> new GeminiProvider(GeminiContractTest.settings("", Map.of("vertex", "true", "location", "us-central1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.project");
    }

    @Test
    void requestCarriesRolesFunctionResponsesToolsAndThinking() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", TestCalls.resource("/fixtures/gemini/text.sse")));
        var params = GenerationParams.newBuilder().setTopP(0.9).setStop(List.of("END"))
                .setTools(List.of(TestCalls.weatherTool())).build();
        var call = TestCalls.call(List.of(TestCalls.message("system", "Be brief."), TestCalls.message("user", "Weather?"),
                TestCalls.message("assistant", "Checking."), TestCalls.toolAnswer("get_weather", "call_1", "{\"sky\":\"clear\"}"),
                TestCalls.toolAnswer("get_time", "call_2", "10:00")), params);
        new GeminiProvider(GeminiContractTest.settings(server.baseUrl(), Map.of("thinking-budget", "512"))).stream(call, e -> { });

        JsonNode body = body(server.received().get(0));
        assertThat(body.path("systemInstruction").toString()).isEqualTo("{\"parts\":[{\"text\":\"Be brief.\"}]}");
        assertThat(body.path("contents").toString()).isEqualTo("[{\"role\":\"user\",\"parts\":[{\"text\":\"Weather?\"}]},"
                + "{\"role\":\"model\",\"parts\":[{\"text\":\"Checking.\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"sky\":\"clear\"}}},"
                + "{\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"content\":\"10:00\"}}}]}]");
        assertThat(body.path("generationConfig").toString()).isEqualTo("{\"topP\":0.9,\"stopSequences\":[\"END\"],"
                + "\"thinkingConfig\":{\"thinkingBudget\":512,\"includeThoughts\":true}}");
        assertThat(body.path("tools").toString()).isEqualTo("[{\"functionDeclarations\":[{\"name\":\"get_weather\","
                + "\"description\":\"Current weather of a city\",\"parameters\":" + TestCalls.weatherTool().getParametersJson() + "}]}]");
    }

    @Test
    void requestCarriesInlineDataFileDataAndEarlierFunctionCalls() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", TestCalls.resource("/fixtures/gemini/text.sse")));
        var call = TestCalls.call(TestCalls.multimodalConversation(), GenerationParams.newBuilder().build());
        new GeminiProvider(GeminiContractTest.settings(server.baseUrl(), Map.of())).stream(call, e -> { });

        String png = "{'inlineData':{'mimeType':'image/png','data':'" + TestCalls.PNG_BASE64 + "'}}";
        assertThat(body(server.received().get(0)).path("contents").toString()).isEqualTo(json("["
                + "{'role':'user','parts':[{'text':'What is in these?'}," + png + ","
                + "{'fileData':{'mimeType':'image/jpeg','fileUri':'https://example.org/cat.jpg'}}," + png + "]},"
                + "{'role':'model','parts':[{'functionCall':{'name':'get_weather','args':{'city':'Paris'}}},"
                + "{'functionCall':{'name':'get_time','args':{}}}]},"
                + "{'role':'user','parts':[{'functionResponse':{'name':'get_weather','response':{'content':'sunny'}}},"
                + "{'functionResponse':{'name':'get_time','response':{'content':'10:00'}}}]},"
                + "{'role':'model','parts':[{'text':'Sunny.'},{'functionCall':{'name':'get_time','args':{'tz':'CET'}}}]}]"));
    }

    @Test
    void anImageUrlWithoutMediaTypeIsRejectedBeforeCalling() {
        var call = TestCalls.call(List.of(TestCalls.userWithParts(TestCalls.textPart("What is this?"),
                TestCalls.urlImage("https://example.org/cat", null))), GenerationParams.newBuilder().build());
        var provider = new GeminiProvider(GeminiContractTest.settings(server.baseUrl(), Map.of()));
        assertThatThrownBy(() -> provider.stream(call, e -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("(Gemini) needs the media type of the image URL "
                            + "https://example.org/cat in messages[0]").contains("send the image inline");
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void toolMessageWithoutFunctionNameIsRejectedBeforeCalling() {
        var call = TestCalls.call(List.of(TestCalls.toolAnswer(null, "call_1", "sunny")), GenerationParams.newBuilder().build());
        assertThatThrownBy(() -> new GeminiProvider(GeminiContractTest.settings(server.baseUrl(), Map.of())).stream(call, e -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isEqualTo("INVALID_REQUEST"));
        assertThat(server.received()).isEmpty();
    }

    private static ProviderEvent[] hiThenStop() {
        return new ProviderEvent[] {new Text("Hi"), new Text("!"), new Usage(4, 2, 0, 0), new Finished(FinishReason.STOP, "STOP")};
    }

    // Wire builders: JSON is written with ' for " to keep the rows readable.

    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static String data(String json, String separator) {
        return "data: " + json(json) + separator;
    }

    /** A one-candidate chunk with these parts, finishReason (quoted, or null) and usageMetadata (or null). */
    private static String chunk(String parts, String finishReason, String usage) {
        return data("{'candidates':[{'content':{'parts':[" + parts + "],'role':'model'}"
                + (finishReason == null ? "" : ",'finishReason':" + finishReason) + ",'index':0}]"
                + (usage == null ? "" : ",'usageMetadata':" + usage) + "}", "\r\n\r\n");
    }
}
