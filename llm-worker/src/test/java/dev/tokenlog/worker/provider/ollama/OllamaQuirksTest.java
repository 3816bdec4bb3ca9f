package dev.tokenlog.worker.provider.ollama;

import static dev.tokenlog.worker.provider.contract.TestCalls.body;
import static dev.tokenlog.worker.provider.contract.TestCalls.header;
import static dev.tokenlog.worker.provider.contract.WireCase.fails;
import static dev.tokenlog.worker.provider.contract.WireCase.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.Message;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ollama /api/chat stream quirks (PROVIDERS.md "Ollama native" and "Edge cases"), one named row each,
 * replayed by a real HTTP server; plus the request body.
 */
class OllamaQuirksTest {
    private static final String HI = line("{'message':{'role':'assistant','content':'Hi'},'done':false}");
    private static final String DONE = line("{'message':{'role':'assistant','content':''},'done':true,'done_reason':'stop',"
            + "'total_duration':5000,'prompt_eval_count':3,'eval_count':1}");

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
        return Stream.of(
                ok("plain stream", HI + DONE, hiThenStop()),
                ok("missing final newline: the done line is still read", HI + DONE.strip(), hiThenStop()),
                ok("CRLF line endings and blank lines", HI.replace("\n", "\r\n") + "\r\n\n" + DONE.replace("\n", "\r\n"), hiThenStop()),
                ok("thinking then content, in one line and apart",
                        line("{'message':{'role':'assistant','content':'','thinking':'Hmm.'},'done':false}")
                                + line("{'message':{'role':'assistant','content':'Yes.','thinking':' Sure.'},'done':false}") + DONE,
                        new Reasoning("Hmm."), new Reasoning(" Sure."), new Text("Yes."), new Usage(3, 1, 0, 0),
                        new Finished(FinishReason.STOP, "stop")),
                ok("tool call arguments are JSON objects, passed on as compact JSON; calls numbered across lines",
                        line("{'message':{'role':'assistant','content':'','tool_calls':[{'function':{'name':'get_weather',"
                                + "'arguments':{'city':'Paris','days':3,'opts':{'units':'metric'}}}}]},'done':false}")
                                + line("{'message':{'role':'assistant','content':'','tool_calls':[{'function':{'name':'get_time',"
                                        + "'arguments':{}}}]},'done':false}") + DONE,
                        new ToolCallStart(0, "call_1", "get_weather"),
                        new ToolCallArguments(0, "{\"city\":\"Paris\",\"days\":3,\"opts\":{\"units\":\"metric\"}}"),
                        new ToolCallEnd(0), new ToolCallStart(1, "call_2", "get_time"), new ToolCallArguments(1, "{}"),
                        new ToolCallEnd(1), new Usage(3, 1, 0, 0), new Finished(FinishReason.TOOL_CALLS, "stop")),
                ok("a tool call id is kept; arguments sent as a JSON string are passed on as they are",
                        line("{'message':{'role':'assistant','content':'','tool_calls':[{'id':'call_abc','function':{'index':0,"
                                + "'name':'get_time','arguments':'{\\'tz\\':\\'CET\\'}'}}]},'done':false}") + DONE,
                        new ToolCallStart(0, "call_abc", "get_time"), new ToolCallArguments(0, "{\"tz\":\"CET\"}"),
                        new ToolCallEnd(0), new Usage(3, 1, 0, 0), new Finished(FinishReason.TOOL_CALLS, "stop")),
                ok("done_reason load finishes OTHER with the raw reason, no usage when no counts",
                        line("{'model':'llama3.2','created_at':'2025-06-01T10:00:00Z','message':{'role':'assistant','content':''},"
                                + "'done_reason':'load','done':true}"),
                        new Finished(FinishReason.OTHER, "load")),
                ok("done_reason unload finishes OTHER",
                        line("{'message':{'role':'assistant','content':''},'done_reason':'unload','done':true}"),
                        new Finished(FinishReason.OTHER, "unload")),
                ok("done_reason length finishes LENGTH",
                        HI + line("{'done':true,'done_reason':'length','prompt_eval_count':3,'eval_count':1}"),
                        new Text("Hi"), new Usage(3, 1, 0, 0), new Finished(FinishReason.LENGTH, "length")),
                ok("done without done_reason (older servers) finishes STOP",
                        HI + line("{'done':true,'prompt_eval_count':3,'eval_count':1}"),
                        new Text("Hi"), new Usage(3, 1, 0, 0), new Finished(FinishReason.STOP, null)),
                ok("lines after done are ignored", HI + DONE + line("{'message':{'content':'late'},'done':false}"), hiThenStop()),
                fails("error line after output ends the stream and keeps the text",
                        HI + line("{'error':'an error was encountered while running the model: CUDA error'}"),
                        "PROVIDER_ERROR", false, new Text("Hi")),
                fails("error line first", line("{'error':'model requires more system memory (9.0 GiB) than is available'}"),
                        "PROVIDER_ERROR", false),
                fails("malformed JSON line is a protocol error", HI + "{\"message\":{\"content\":\"x\"\n",
                        "PROVIDER_PROTOCOL", false, new Text("Hi")),
                fails("EOF without a done line is a truncation", HI, "TRUNCATED", true, new Text("Hi")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalises(WireCase row) {
        row.check(server, provider(Optional.empty(), Map.of()), "application/x-ndjson");
    }

    @Test
    void acceptsNdjsonLabelledAsJson() throws Exception {
        server.then(FixtureServer.Reply.stream("application/json; charset=utf-8", HI + DONE));
        List<ProviderEvent> events = new ArrayList<>();
        provider(Optional.empty(), Map.of()).stream(TestCalls.simple(), events::add);
        assertThat(events).containsExactly(hiThenStop());
    }

    @Test
    void returnsAtTheDoneLineEvenIfTheServerKeepsTheConnectionOpen() {
        server.then(FixtureServer.Reply.stream("application/x-ndjson", HI + DONE).ending(FixtureServer.Ending.STALL));
        List<ProviderEvent> events = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> provider(Optional.empty(), Map.of()).stream(TestCalls.simple(), events::add));
        assertThat(events).containsExactly(hiThenStop());
    }

    @Test
    void requestCarriesOptionsToolsToolNamesAndThink() throws Exception {
        server.then(FixtureServer.Reply.stream("application/x-ndjson", HI + DONE));
        var params = GenerationParams.newBuilder().setMaxTokens(100).setTopP(0.9).setStop(List.of("END"))
                .setTools(List.of(TestCalls.weatherTool())).build();
        var call = TestCalls.call(List.of(TestCalls.message("user", "Weather?"), TestCalls.message("assistant", "Checking."),
                TestCalls.toolAnswer("get_weather", "call_1", "sunny")), params);
        provider(Optional.empty(), Map.of("think", "true")).stream(call, e -> { });

        FixtureServer.Received received = server.received().get(0);
        assertThat(header(received, "authorization")).as("no key, no auth header").isNull();
        JsonNode body = body(received);
        assertThat(body.path("think").isBoolean()).isTrue();
        assertThat(body.path("think").asBoolean()).isTrue();
        assertThat(body.path("options").toString()).isEqualTo("{\"num_predict\":100,\"top_p\":0.9,\"stop\":[\"END\"]}");
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Weather?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Checking.\"},"
                + "{\"role\":\"tool\",\"content\":\"sunny\",\"tool_name\":\"get_weather\"}]");
        assertThat(body.path("tools").toString()).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Current weather of a city\",\"parameters\":" + TestCalls.weatherTool().getParametersJson() + "}}]");
    }

    @Test
    void requestCarriesInlineImagesAsBase64AndEarlierToolCallsWithObjectArguments() throws Exception {
        server.then(FixtureServer.Reply.stream("application/x-ndjson", HI + DONE));
        List<Message> conversation = new ArrayList<>(List.of(TestCalls.userWithParts(TestCalls.textPart("What is in these?"),
                TestCalls.inlineImage("image/png", TestCalls.PNG), TestCalls.textPart("Be brief."),
                TestCalls.urlImage("data:image/png;base64," + TestCalls.PNG_BASE64, null))));
        conversation.addAll(TestCalls.multimodalConversation().subList(1, 5));
        provider(Optional.empty(), Map.of()).stream(TestCalls.call(conversation, GenerationParams.newBuilder().build()), e -> { });

        String png = "'" + TestCalls.PNG_BASE64 + "'";
        assertThat(body(server.received().get(0)).path("messages").toString()).isEqualTo(line("["
                + "{'role':'user','content':'What is in these?\\nBe brief.','images':[" + png + "," + png + "]},"
                + "{'role':'assistant','content':'','tool_calls':[{'id':'call_1','function':{'name':'get_weather',"
                + "'arguments':{'city':'Paris'}}},{'id':'call_2','function':{'name':'get_time','arguments':{}}}]},"
                + "{'role':'tool','content':'sunny','tool_name':'get_weather'},"
                + "{'role':'tool','content':'10:00','tool_name':'get_time'},"
                + "{'role':'assistant','content':'Sunny.','tool_calls':[{'id':'call_3','function':{'name':'get_time',"
                + "'arguments':{'tz':'CET'}}}]}]").strip());
    }

    @Test
    void anImageUrlIsRejectedBeforeCallingBecauseOllamaNeedsInlineImages() {
        var call = TestCalls.call(List.of(TestCalls.userWithParts(TestCalls.textPart("What is this?"),
                TestCalls.urlImage("https://example.org/cat.jpg", "image/jpeg"))), GenerationParams.newBuilder().build());
        assertThatThrownBy(() -> provider(Optional.empty(), Map.of()).stream(call, e -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("provider 'local' (Ollama) needs inline images (base64) and"
                            + " cannot fetch the image URL https://example.org/cat.jpg in messages[0]; send the image"
                            + " bytes, e.g. as a data: URL");
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void thinkLevelIsSentAsAString() throws Exception {
        server.then(FixtureServer.Reply.stream("application/x-ndjson", HI + DONE));
        provider(Optional.empty(), Map.of("think", "high")).stream(TestCalls.simple(), e -> { });
        assertThat(body(server.received().get(0)).path("think").asText()).isEqualTo("high");
        assertThat(body(server.received().get(0)).has("options")).as("no parameters, no options").isFalse();
    }

    private OllamaProvider provider(Optional<String> key, Map<String, String> options) {
        return new OllamaProvider(OllamaContractTest.settings(server.baseUrl(), key, options));
    }

    private static ProviderEvent[] hiThenStop() {
        return new ProviderEvent[] {new Text("Hi"), new Usage(3, 1, 0, 0), new Finished(FinishReason.STOP, "stop")};
    }

    /** One NDJSON line; JSON is written with ' for " to keep the rows readable. */
    private static String line(String singleQuoted) {
        return singleQuoted.replace('\'', '"') + "\n";
    }
}
