package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.FinishReason;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Responses API events beyond the contract scenarios (PROVIDERS.md, "OpenAI Responses API"): each
 * case is a small wire stream served by the real fixture server and the exact events, or the error,
 * it must normalise to. JSON is written with single quotes, turned into double quotes by {@link #ev}.
 */
class OpenAiResponsesEventsTest {
    private static final String CREATED = ev("response.created", "'response':{'id':'resp_1','status':'in_progress'}");

    record Case(String name, String wire, List<ProviderEvent> events, String errorCode, Boolean retryable) {
        static Case of(String name, String wire, ProviderEvent... events) {
            return new Case(name, wire, List.of(events), null, null);
        }

        static Case fails(String name, String wire, String code, boolean retryable, ProviderEvent... before) {
            return new Case(name, wire, List.of(before), code, retryable);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                Case.of("a refusal is text",
                        CREATED + ev("response.refusal.delta", "'item_id':'msg_1','output_index':0,'content_index':0,"
                                + "'delta':'I cannot help.'") + completed(""),
                        new Text("I cannot help."), new Finished(FinishReason.STOP, "completed")),
                Case.of("reasoning text of open-weight models is reasoning",
                        CREATED + ev("response.reasoning_text.delta", "'item_id':'rs_1','output_index':0,'content_index':0,"
                                + "'delta':'Hmm'") + text("Yes") + completed(""),
                        new Reasoning("Hmm"), new Text("Yes"), new Finished(FinishReason.STOP, "completed")),
                Case.of("usage details: cached and reasoning tokens",
                        CREATED + text("Hi") + completed(",'usage':{'input_tokens':2006,'input_tokens_details':"
                                + "{'cached_tokens':1920},'output_tokens':300,'output_tokens_details':{'reasoning_tokens':256},"
                                + "'total_tokens':2306}"),
                        new Text("Hi"), new Usage(2006, 300, 1920, 256), new Finished(FinishReason.STOP, "completed")),
                Case.of("incomplete for content_filter is CONTENT_FILTER",
                        CREATED + text("Hi") + incomplete("content_filter"),
                        new Text("Hi"), new Finished(FinishReason.CONTENT_FILTER, "content_filter")),
                Case.of("incomplete for another reason is OTHER with the raw reason",
                        CREATED + text("Hi") + incomplete("some_new_reason"),
                        new Text("Hi"), new Finished(FinishReason.OTHER, "some_new_reason")),
                Case.of("a function call whose arguments arrive only with output_item.done",
                        CREATED + ev("response.output_item.added", "'output_index':0,'item':{'id':'fc_1','type':"
                                + "'function_call','status':'in_progress','arguments':'','call_id':'call_9','name':'f'}")
                                + ev("response.output_item.done", "'output_index':0,'item':{'id':'fc_1','type':"
                                + "'function_call','status':'completed','arguments':'{\\'a\\':1}','call_id':'call_9','name':'f'}")
                                + completed(""),
                        new ToolCallStart(0, "call_9", "f"), new ToolCallArguments(0, "{\"a\":1}"), new ToolCallEnd(0),
                        new Finished(FinishReason.TOOL_CALLS, "completed")),
                Case.of("a call cut by max_output_tokens is ended before the LENGTH finish; no arguments become {}",
                        CREATED + ev("response.output_item.added", "'output_index':1,'item':{'id':'fc_2','type':"
                                + "'function_call','arguments':'','call_id':'call_2','name':'g'}") + incomplete("max_output_tokens"),
                        new ToolCallStart(0, "call_2", "g"), new ToolCallArguments(0, "{}"), new ToolCallEnd(0),
                        new Finished(FinishReason.LENGTH, "max_output_tokens")),
                Case.of("unknown and lifecycle events are ignored; the type comes from the JSON",
                        CREATED + ev("response.web_search_call.in_progress", "'output_index':0,'item_id':'ws_1'")
                                + ev("response.some_future_event", "'x':1") + text("Hi") + completed(""),
                        new Text("Hi"), new Finished(FinishReason.STOP, "completed")),
                Case.fails("an error event with a nested error fails the stream",
                        CREATED + text("Hi") + ev("error", "'error':{'type':'invalid_request_error','code':'invalid_prompt',"
                                + "'message':'Invalid prompt'}"),
                        "PROVIDER_ERROR", false, new Text("Hi")),
                Case.fails("response.failed alone fails the stream, retryable for server_error",
                        CREATED + ev("response.failed", "'response':{'status':'failed','error':{'code':'server_error',"
                                + "'message':'The server had an error'}}"),
                        "PROVIDER_ERROR", true),
                Case.fails("arguments for a call never announced are a protocol error",
                        CREATED + ev("response.function_call_arguments.delta", "'item_id':'fc_x','output_index':0,'delta':'{'"),
                        "PROVIDER_PROTOCOL", false),
                Case.fails("a stream that ends after the last delta is a truncation",
                        CREATED + text("Hi"), "TRUNCATED", true, new Text("Hi")),
                Case.fails("an event that is not JSON is a protocol error",
                        CREATED + "event: response.output_text.delta\ndata: {not json\n\n", "PROVIDER_PROTOCOL", false));
    }

    private FixtureServer server;

    @BeforeEach
    void start() throws java.io.IOException {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void normalises(Case c) throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", c.wire()));
        OpenAiResponsesProvider provider = new OpenAiResponsesProvider(
                OpenAiFixtures.settings(server.baseUrl(), "sk-responses-0001", Map.of(), Map.of()));
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        if (c.errorCode() == null) {
            provider.stream(OpenAiFixtures.call(), events::add);
        } else {
            assertThatThrownBy(() -> provider.stream(OpenAiFixtures.call(), events::add))
                    .isInstanceOfSatisfying(ProviderException.class, e -> {
                        assertThat(e.code()).isEqualTo(c.errorCode());
                        assertThat(e.retryable()).as("retryable").isEqualTo(c.retryable());
                    });
        }
        assertThat(events).containsExactlyElementsOf(c.events());
    }

    /** {@code event: <type>} and its JSON with the same {@code type}; {@code fields} in single quotes. */
    static String ev(String type, String fields) {
        return "event: " + type + "\ndata: " + ("{'type':'" + type + "','sequence_number':1," + fields + "}")
                .replace('\'', '"') + "\n\n";
    }

    private static String text(String delta) {
        return ev("response.output_text.delta", "'item_id':'msg_1','output_index':0,'content_index':0,'delta':'"
                + delta + "'");
    }

    private static String completed(String usage) {
        return ev("response.completed", "'response':{'id':'resp_1','status':'completed'" + usage + "}");
    }

    private static String incomplete(String reason) {
        return ev("response.incomplete", "'response':{'id':'resp_1','status':'incomplete','incomplete_details':"
                + "{'reason':'" + reason + "'}}");
    }
}
