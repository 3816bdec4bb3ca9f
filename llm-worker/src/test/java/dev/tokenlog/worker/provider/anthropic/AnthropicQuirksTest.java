package dev.tokenlog.worker.provider.anthropic;

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
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderEvent.Finished;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Anthropic stream quirks (PROVIDERS.md "Anthropic Messages" and "Edge cases"), one named row each,
 * replayed by a real HTTP server; plus the request body and the adapter's options.
 */
class AnthropicQuirksTest {
    private static final String PING = ev("ping", "{'type':'ping'}");
    private static final String STOP = ev("message_stop", "{'type':'message_stop'}");

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
                ok("ping before, between and after events, with and without data",
                        PING + start("{'input_tokens':5,'output_tokens':1}") + "event: ping\n\n" + textStart(0) + PING
                                + text(0, "Hi") + PING + blockStop(0) + messageDelta("end_turn", "{'output_tokens':2}")
                                + PING + STOP,
                        new Text("Hi"), new Usage(5, 2, 0, 0), new Finished(FinishReason.STOP, "end_turn")),
                ok("cumulative output usage is replaced, not added, and reported once",
                        start("{'input_tokens':5,'output_tokens':1}") + textStart(0) + text(0, "Hi")
                                + messageDelta(null, "{'output_tokens':3}") + messageDelta("end_turn", "{'output_tokens':7}")
                                + STOP,
                        new Text("Hi"), new Usage(5, 7, 0, 0), new Finished(FinishReason.STOP, "end_turn")),
                ok("cache reads and writes are part of the input; reads are the cached count",
                        start("{'input_tokens':5,'cache_read_input_tokens':20,'cache_creation_input_tokens':3,'output_tokens':1}")
                                + messageDelta("end_turn", "{'output_tokens':2}") + STOP,
                        new Usage(28, 2, 20, 0), new Finished(FinishReason.STOP, "end_turn")),
                ok("unknown event, block and delta types are ignored",
                        start("{'input_tokens':1,'output_tokens':1}") + ev("content_block_future", "not json at all")
                                + blockStart(0, "{'type':'server_tool_use','id':'srvtoolu_1','name':'web_search','input':{}}")
                                + delta(0, "{'type':'input_json_delta','partial_json':'{}'}") + blockStop(0)
                                + blockStart(1, "{'type':'redacted_thinking','data':'EmwKAhgB'}") + blockStop(1)
                                + textStart(2) + delta(2, "{'type':'citations_delta','citation':{'type':'char_location'}}")
                                + delta(2, "{'type':'sparkle_delta','sparkle':1}") + text(2, "ok") + blockStop(2)
                                + messageDelta("end_turn", "{'output_tokens':2}") + STOP,
                        new Text("ok"), new Usage(1, 2, 0, 0), new Finished(FinishReason.STOP, "end_turn")),
                ok("unnamed events dispatch by the type in their data",
                        "data: " + json("{'type':'message_start','message':{'usage':{'input_tokens':3,'output_tokens':1}}}")
                                + "\n\n" + "data: " + json("{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}")
                                + "\n\n" + "data: " + json("{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hi'}}")
                                + "\n\n" + "data: " + json("{'type':'message_stop'}") + "\n\n",
                        new Text("Hi"), new Usage(3, 1, 0, 0), new Finished(FinishReason.OTHER, null)),
                ok("empty first partial_json is skipped; tool calls are numbered among tool_use blocks only",
                        start("{'input_tokens':1,'output_tokens':1}") + textStart(0) + text(0, "Let me look.") + blockStop(0)
                                + blockStart(1, "{'type':'tool_use','id':'toolu_01A','name':'get_weather','input':{}}")
                                + delta(1, "{'type':'input_json_delta','partial_json':''}")
                                + delta(1, "{'type':'input_json_delta','partial_json':'{\\'city\\': \\'Par'}")
                                + delta(1, "{'type':'input_json_delta','partial_json':'is\\'}'}") + blockStop(1)
                                + messageDelta("tool_use", "{'output_tokens':20}") + STOP,
                        new Text("Let me look."), new ToolCallStart(0, "toolu_01A", "get_weather"),
                        new ToolCallArguments(0, "{\"city\": \"Par"), new ToolCallArguments(0, "is\"}"), new ToolCallEnd(0),
                        new Usage(1, 20, 0, 0), new Finished(FinishReason.TOOL_CALLS, "tool_use")),
                ok("events after message_stop are ignored",
                        start("{'input_tokens':1,'output_tokens':1}") + textStart(0) + text(0, "Hi") + STOP + text(0, "late"),
                        new Text("Hi"), new Usage(1, 1, 0, 0), new Finished(FinishReason.OTHER, null)),
                fails("event: error after output ends the stream, overloaded is retryable",
                        start("{'input_tokens':1,'output_tokens':1}") + textStart(0) + text(0, "Partial")
                                + ev("error", "{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}"),
                        "PROVIDER_ERROR", true, new Text("Partial")),
                fails("api_error mid-stream is retryable",
                        ev("error", "{'type':'error','error':{'type':'api_error','message':'Internal server error'}}"),
                        "PROVIDER_ERROR", true),
                fails("invalid_request_error mid-stream is not retryable",
                        ev("error", "{'type':'error','error':{'type':'invalid_request_error','message':'bad'}}"),
                        "PROVIDER_ERROR", false),
                fails("a known event whose data is not JSON is a protocol error",
                        start("{'input_tokens':1,'output_tokens':1}") + ev("content_block_delta", "{oops"),
                        "PROVIDER_PROTOCOL", false),
                fails("EOF after message_delta but before message_stop is a truncation",
                        start("{'input_tokens':1,'output_tokens':1}") + textStart(0) + text(0, "Cut") + blockStop(0)
                                + messageDelta("end_turn", "{'output_tokens':2}"),
                        "TRUNCATED", true, new Text("Cut"))));
        Map.of("end_turn", FinishReason.STOP, "stop_sequence", FinishReason.STOP, "max_tokens", FinishReason.LENGTH,
                "model_context_window_exceeded", FinishReason.LENGTH, "tool_use", FinishReason.TOOL_CALLS,
                "refusal", FinishReason.CONTENT_FILTER, "pause_turn", FinishReason.OTHER, "brand_new_reason", FinishReason.OTHER)
                .forEach((raw, reason) -> cases.add(ok("stop_reason " + raw + " finishes " + reason,
                        start("{'input_tokens':1,'output_tokens':1}") + messageDelta(raw, "{'output_tokens':1}") + STOP,
                        new Usage(1, 1, 0, 0), new Finished(reason, raw))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalises(WireCase row) {
        row.check(server, provider(Map.of(), Map.of()), "text/event-stream");
    }

    @Test
    void returnsAtMessageStopEvenIfTheServerKeepsTheConnectionOpen() {
        server.then(FixtureServer.Reply.stream("text/event-stream",
                TestCalls.resource("/fixtures/anthropic/text.sse")).ending(FixtureServer.Ending.STALL));
        List<ProviderEvent> events = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> provider(Map.of(), Map.of()).stream(TestCalls.simple(), events::add));
        assertThat(events.get(events.size() - 1)).isEqualTo(new Finished(FinishReason.STOP, "end_turn"));
    }

    @Test
    void requestCarriesToolsToolResultsThinkingAndOptions() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", TestCalls.resource("/fixtures/anthropic/text.sse")));
        var params = GenerationParams.newBuilder().setTopP(0.9).setStop(List.of("END")).setTools(List.of(TestCalls.weatherTool())).build();
        var call = TestCalls.call(List.of(TestCalls.message("system", "Be brief."), TestCalls.message("system", "Be kind."),
                TestCalls.message("user", "Weather in Paris and Rome?"), TestCalls.message("assistant", "Checking."),
                TestCalls.toolAnswer("get_weather", "toolu_1", "sunny"), TestCalls.toolAnswer("get_weather", "toolu_2", "rain"),
                TestCalls.message("user", "Thanks")), params);
        provider(Map.of("x-team", "blue", "anthropic-version", "2025-01-01"), Map.of("thinking-budget", "2048"))
                .stream(call, event -> { });

        FixtureServer.Received received = server.received().get(0);
        assertThat(header(received, "anthropic-version")).as("configured headers win").isEqualTo("2025-01-01");
        assertThat(header(received, "x-team")).isEqualTo("blue");
        JsonNode body = body(received);
        assertThat(body.path("max_tokens").asInt()).as("default above the thinking budget").isEqualTo(1024 + 2048);
        assertThat(body.path("thinking").toString()).isEqualTo("{\"type\":\"enabled\",\"budget_tokens\":2048}");
        assertThat(body.path("system").asText()).isEqualTo("Be brief.\n\nBe kind.");
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("stop_sequences").toString()).isEqualTo("[\"END\"]");
        assertThat(body.has("temperature")).isFalse();
        assertThat(body.path("tools").toString()).isEqualTo("[{\"name\":\"get_weather\",\"description\":\"Current weather of a city\","
                + "\"input_schema\":" + TestCalls.weatherTool().getParametersJson() + "}]");
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Checking.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"sunny\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":\"rain\"}]},"
                + "{\"role\":\"user\",\"content\":\"Thanks\"}]");
    }

    @Test
    void requestCarriesImageBlocksAndEarlierToolUse() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", TestCalls.resource("/fixtures/anthropic/text.sse")));
        var params = GenerationParams.newBuilder().setTools(List.of(TestCalls.weatherTool())).build();
        provider(Map.of(), Map.of()).stream(TestCalls.call(TestCalls.multimodalConversation(), params), event -> { });

        assertThat(body(server.received().get(0)).path("messages").toString()).isEqualTo(json("["
                + "{'role':'user','content':[{'type':'text','text':'What is in these?'},"
                + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'" + TestCalls.PNG_BASE64 + "'}},"
                + "{'type':'image','source':{'type':'url','url':'https://example.org/cat.jpg'}},"
                + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'" + TestCalls.PNG_BASE64 + "'}}]},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'call_1','name':'get_weather','input':{'city':'Paris'}},"
                + "{'type':'tool_use','id':'call_2','name':'get_time','input':{}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'call_1','content':'sunny'},"
                + "{'type':'tool_result','tool_use_id':'call_2','content':'10:00'}]},"
                + "{'role':'assistant','content':[{'type':'text','text':'Sunny.'},"
                + "{'type':'tool_use','id':'call_3','name':'get_time','input':{'tz':'CET'}}]}]"));
    }

    @Test
    void toolCallArgumentsThatAreNotAnObjectAreRejectedBeforeCalling() {
        var call = TestCalls.call(List.of(TestCalls.message("user", "Weather?"), TestCalls.assistantCalling("",
                new MessageToolCall("call_9", "get_weather", "[\"Paris\"]"))), GenerationParams.newBuilder().build());
        assertThatThrownBy(() -> provider(Map.of(), Map.of()).stream(call, event -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("tool call 'call_9' (get_weather)")
                            .contains("provider '" + AnthropicContractTest.settings("", Map.of(), Map.of()).name() + "'");
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void defaultMaxTokensWithoutThinkingIs1024() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", TestCalls.resource("/fixtures/anthropic/text.sse")));
        provider(Map.of(), Map.of()).stream(TestCalls.simple(), event -> { });
        assertThat(body(server.received().get(0)).path("max_tokens").asInt()).isEqualTo(1024);
    }

    @Test
    void toolMessageWithoutToolCallIdIsRejectedBeforeCalling() {
        var call = TestCalls.call(List.of(TestCalls.message("tool", "sunny")), GenerationParams.newBuilder().build());
        assertThatThrownBy(() -> provider(Map.of(), Map.of()).stream(call, event -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.retryable()).isFalse();
                });
        assertThat(server.received()).isEmpty();
    }

    @Test
    void badThinkingBudgetFailsAtStartUp() {
        assertThatThrownBy(() -> provider(Map.of(), Map.of("thinking-budget", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.thinking-budget");
    }

    private AnthropicProvider provider(Map<String, String> headers, Map<String, String> options) {
        return new AnthropicProvider(AnthropicContractTest.settings(server.baseUrl(), headers, options));
    }

    // Wire builders: JSON is written with ' for " to keep the rows readable.

    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static String ev(String type, String data) {
        return "event: " + type + "\ndata: " + json(data) + "\n\n";
    }

    private static String start(String usage) {
        return ev("message_start", "{'type':'message_start','message':{'id':'msg_1','type':'message','role':'assistant',"
                + "'content':[],'model':'claude-x','stop_reason':null,'usage':" + usage + "}}");
    }

    private static String blockStart(int index, String block) {
        return ev("content_block_start", "{'type':'content_block_start','index':" + index + ",'content_block':" + block + "}");
    }

    private static String textStart(int index) {
        return blockStart(index, "{'type':'text','text':''}");
    }

    private static String delta(int index, String delta) {
        return ev("content_block_delta", "{'type':'content_block_delta','index':" + index + ",'delta':" + delta + "}");
    }

    private static String text(int index, String text) {
        return delta(index, "{'type':'text_delta','text':'" + text + "'}");
    }

    private static String blockStop(int index) {
        return ev("content_block_stop", "{'type':'content_block_stop','index':" + index + "}");
    }

    private static String messageDelta(String stopReason, String usage) {
        String reason = stopReason == null ? "null" : "'" + stopReason + "'";
        return ev("message_delta", "{'type':'message_delta','delta':{'stop_reason':" + reason + ",'stop_sequence':null},'usage':" + usage + "}");
    }
}
