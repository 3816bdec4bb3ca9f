package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quirks of the OpenAI-compatible family (PROVIDERS.md, "OpenAI Chat Completions" and "Edge
 * cases"): each case is a small wire stream, served by the real fixture server, and the exact events
 * (or the error) it must normalise to. JSON in the cases is written with single quotes for
 * readability; {@link #q} turns them into double quotes.
 */
class OpenAiChatQuirksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-quirks-0001";
    private static final String DONE = "data: [DONE]\n\n";
    private static final String ROLE = delta("{'role':'assistant','content':''}");

    /** A named case: the wire stream, the events expected, and the error code if it must fail. */
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
                Case.of("Mistral: a whole tool call in one chunk, usage on the finish chunk",
                        data("{'id':'a1','object':'chat.completion.chunk','created':1,'model':'mistral-large-latest',"
                                + "'choices':[{'index':0,'delta':{'role':'assistant','content':''},'finish_reason':null}]}")
                                + data("{'id':'a1','object':'chat.completion.chunk','created':1,'model':'mistral-large-latest',"
                                + "'choices':[{'index':0,'delta':{'content':'','tool_calls':[{'id':'D681PevKs','function':"
                                + "{'name':'get_weather','arguments':'{\\'city\\': \\'Paris\\'}'},'index':0}]},"
                                + "'finish_reason':'tool_calls'}],'usage':{'prompt_tokens':70,'total_tokens':90,'completion_tokens':20}}")
                                + DONE,
                        new ToolCallStart(0, "D681PevKs", "get_weather"), new ToolCallArguments(0, "{\"city\": \"Paris\"}"),
                        new ToolCallEnd(0), new Usage(70, 20, 0, 0), new Finished(FinishReason.TOOL_CALLS, "tool_calls")),
                Case.of("Mistral: model_length is LENGTH",
                        ROLE + delta("{'content':'Hi'}") + finish("model_length") + DONE,
                        new Text("Hi"), new Finished(FinishReason.LENGTH, "model_length")),
                Case.fails("Mistral: finish_reason error fails the stream",
                        ROLE + delta("{'content':'Hi'}") + finish("error") + DONE, "PROVIDER_ERROR", true, new Text("Hi")),
                Case.of("Mistral: reasoning models send content as thinking and text parts",
                        delta("{'role':'assistant','content':[{'type':'thinking','thinking':[{'type':'text','text':'Hmm.'}]}]}")
                                + delta("{'content':[{'type':'text','text':'Yes.'}]}") + finish("stop") + DONE,
                        new Reasoning("Hmm."), new Text("Yes."), new Finished(FinishReason.STOP, "stop")),
                Case.of("DeepSeek: reasoning_content between keep-alive comments, cache hits as cached tokens",
                        ": keep-alive\n\n" + delta("{'role':'assistant','content':null,'reasoning_content':''}")
                                + ": keep-alive\n\n" + delta("{'content':null,'reasoning_content':'Think'}")
                                + delta("{'content':'Answer','reasoning_content':null}") + finish("stop")
                                + data("{'id':'d','object':'chat.completion.chunk','choices':[],'usage':{'prompt_tokens':10,"
                                + "'completion_tokens':20,'total_tokens':30,'completion_tokens_details':{'reasoning_tokens':15},"
                                + "'prompt_cache_hit_tokens':8,'prompt_cache_miss_tokens':2}}") + DONE,
                        new Reasoning("Think"), new Text("Answer"), new Usage(10, 20, 8, 15), new Finished(FinishReason.STOP, "stop")),
                Case.of("Groq: usage in x_groq then at top level: the last wins and is reported once",
                        ROLE + delta("{'content':'Hi'}")
                                + data("{'id':'g','object':'chat.completion.chunk','model':'llama-3.3-70b-versatile','choices':"
                                + "[{'index':0,'delta':{},'logprobs':null,'finish_reason':'stop'}],'x_groq':{'id':'req_01',"
                                + "'usage':{'queue_time':0.01,'prompt_tokens':10,'prompt_time':0.002,'completion_tokens':3,"
                                + "'completion_time':0.01,'total_tokens':13,'total_time':0.012}}}")
                                + data("{'id':'g','object':'chat.completion.chunk','choices':[],'usage':{'prompt_tokens':12,"
                                + "'completion_tokens':4,'total_tokens':16},'x_groq':{'id':'req_01'}}") + DONE,
                        new Text("Hi"), new Usage(12, 4, 0, 0), new Finished(FinishReason.STOP, "stop")),
                Case.of("Perplexity: role on every chunk, citations and search_results ignored",
                        perplexity("{'role':'assistant','content':'Hi'}", null, 1)
                                + perplexity("{'role':'assistant','content':' there'}", null, 2)
                                + perplexity("{'role':'assistant','content':''}", "'stop'", 2) + DONE,
                        new Text("Hi"), new Text(" there"), new Usage(5, 2, 0, 0), new Finished(FinishReason.STOP, "stop")),
                Case.fails("vLLM: an error chunk fails the stream even though [DONE] follows",
                        ROLE + delta("{'content':'Par'}") + data("{'error':{'object':'error','message':'Sampling failed',"
                                + "'type':'BadRequestError','param':null,'code':400}}") + DONE,
                        "PROVIDER_ERROR", false, new Text("Par")),
                Case.of("vLLM: usage on every chunk is reported once, the last one",
                        data(vllm("{'role':'assistant','content':''}", null, 0)) + data(vllm("{'content':'A'}", null, 1))
                                + data(vllm("{'content':'B'}", null, 2)) + data(vllm("{}", "'stop'", 3)) + DONE,
                        new Text("A"), new Text("B"), new Usage(12, 3, 0, 0), new Finished(FinishReason.STOP, "stop")),
                Case.of("Ollama /v1: delta.reasoning, finish_reason empty until [DONE]",
                        ollama("{'role':'assistant','content':'','reasoning':'Hmm'}") + ollama("{'role':'assistant','content':'Yes'}")
                                + DONE,
                        new Reasoning("Hmm"), new Text("Yes"), new Finished(FinishReason.STOP, null)),
                Case.of("Ollama /v1: a whole tool call with finish_reason stop means tool calls",
                        ROLE + delta("{'role':'assistant','content':'','tool_calls':[{'id':'call_x1','index':0,'type':'function',"
                                + "'function':{'name':'get_time','arguments':'{}'}}]}") + finish("stop") + DONE,
                        new ToolCallStart(0, "call_x1", "get_time"), new ToolCallArguments(0, "{}"), new ToolCallEnd(0),
                        new Finished(FinishReason.TOOL_CALLS, "stop")),
                Case.of("an unknown finish reason is OTHER with the raw value kept",
                        ROLE + delta("{'content':'Hi'}") + finish("guardrail_intervened") + DONE,
                        new Text("Hi"), new Finished(FinishReason.OTHER, "guardrail_intervened")),
                Case.of("content_filter is CONTENT_FILTER",
                        ROLE + delta("{'content':'Hi'}") + finish("content_filter") + DONE,
                        new Text("Hi"), new Finished(FinishReason.CONTENT_FILTER, "content_filter")),
                Case.of("a refusal is text",
                        ROLE + delta("{'content':null,'refusal':'I cannot help with that.'}") + finish("stop") + DONE,
                        new Text("I cannot help with that."), new Finished(FinishReason.STOP, "stop")),
                Case.of("the obfuscation padding field is ignored",
                        data("{'id':'c','object':'chat.completion.chunk','choices':[{'index':0,'delta':{'content':'Hi'},"
                                + "'finish_reason':null}],'obfuscation':'pT9xQ'}") + finish("stop") + DONE,
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                Case.of("empty deltas report nothing",
                        ROLE + delta("{}") + delta("{'content':''}") + delta("null") + delta("{'content':null,'tool_calls':[]}")
                                + delta("{'content':'Hi'}") + finish("stop") + DONE,
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                Case.of("tool call arguments split inside a JSON escape are passed on as sent",
                        ROLE + toolCall(0, "call_1", "search", "") + toolCall(0, null, null, "{\"q\":\"a\\")
                                + toolCall(0, null, null, "\"b\\u00") + toolCall(0, null, null, "e9\"}") + finish("tool_calls") + DONE,
                        new ToolCallStart(0, "call_1", "search"), new ToolCallArguments(0, "{\"q\":\"a\\"),
                        new ToolCallArguments(0, "\"b\\u00"), new ToolCallArguments(0, "e9\"}"), new ToolCallEnd(0),
                        new Finished(FinishReason.TOOL_CALLS, "tool_calls")),
                Case.of("parallel calls interleaved by index end in index order at the finish chunk",
                        ROLE + toolCall(0, "call_a", "f", "") + toolCall(1, "call_b", "g", "[1")
                                + toolCall(0, null, null, "{}") + toolCall(1, null, null, "]") + finish("tool_calls") + DONE,
                        new ToolCallStart(0, "call_a", "f"), new ToolCallStart(1, "call_b", "g"), new ToolCallArguments(1, "[1"),
                        new ToolCallArguments(0, "{}"), new ToolCallArguments(1, "]"), new ToolCallEnd(0), new ToolCallEnd(1),
                        new Finished(FinishReason.TOOL_CALLS, "tool_calls")),
                Case.of("a server numbering every call 0: a new id starts a new call; no arguments become {}",
                        ROLE + toolCall(0, "call_a", "f", "") + toolCall(0, "call_b", "g", "{\"x\":1}") + finish("tool_calls")
                                + DONE,
                        new ToolCallStart(0, "call_a", "f"), new ToolCallStart(1, "call_b", "g"),
                        new ToolCallArguments(1, "{\"x\":1}"), new ToolCallArguments(0, "{}"), new ToolCallEnd(0),
                        new ToolCallEnd(1), new Finished(FinishReason.TOOL_CALLS, "tool_calls")),
                Case.of("missing usage: no usage event",
                        ROLE + delta("{'content':'Hi'}") + finish("stop") + DONE,
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                Case.of("cached and reasoning token details are mapped",
                        ROLE + delta("{'content':'Hi'}") + finish("stop") + data("{'id':'c','choices':[],'usage':{'prompt_tokens':"
                                + "2006,'completion_tokens':300,'total_tokens':2306,'prompt_tokens_details':{'cached_tokens':1920},"
                                + "'completion_tokens_details':{'reasoning_tokens':256}}}") + DONE,
                        new Text("Hi"), new Usage(2006, 300, 1920, 256), new Finished(FinishReason.STOP, "stop")),
                Case.of("usage with choices null",
                        ROLE + delta("{'content':'Hi'}") + finish("stop")
                                + data("{'id':'c','choices':null,'usage':{'prompt_tokens':12,'completion_tokens':4}}") + DONE,
                        new Text("Hi"), new Usage(12, 4, 0, 0), new Finished(FinishReason.STOP, "stop")),
                Case.of("a duplicate [DONE] and anything after the first are ignored",
                        ROLE + delta("{'content':'Hi'}") + finish("stop") + DONE + delta("{'content':'late'}") + DONE,
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                Case.of("[DONE] without finish_reason finishes STOP with no raw reason",
                        ROLE + delta("{'content':'Hi'}") + DONE,
                        new Text("Hi"), new Finished(FinishReason.STOP, null)),
                Case.of("the last text and the finish_reason in one chunk",
                        ROLE + data("{'id':'c','choices':[{'index':0,'delta':{'content':'Hi'},'finish_reason':'stop'}]}") + DONE,
                        new Text("Hi"), new Finished(FinishReason.STOP, "stop")),
                Case.of("a clean end after finish_reason without [DONE] still finishes, with the usage seen",
                        ROLE + delta("{'content':'Hi'}") + data("{'id':'c','choices':[{'index':0,'delta':{},'finish_reason':"
                                + "'stop'}],'usage':{'prompt_tokens':3,'completion_tokens':1}}"),
                        new Text("Hi"), new Usage(3, 1, 0, 0), new Finished(FinishReason.STOP, "stop")),
                Case.fails("an end with neither finish_reason nor [DONE] is a truncation",
                        ROLE + delta("{'content':'Hi'}"), "TRUNCATED", true, new Text("Hi")),
                Case.fails("a chunk that is not JSON is a protocol error",
                        ROLE + delta("{'content':'Hi'}") + "data: {'choices':[{'index':0,\n\n" + DONE,
                        "PROVIDER_PROTOCOL", false, new Text("Hi")),
                Case.fails("an in-band server_error is retryable",
                        ROLE + data("{'error':{'message':'The server had an error','type':'server_error','param':null,'code':null}}"),
                        "PROVIDER_ERROR", true),
                Case.fails("an SSE event named error with plain text fails the stream",
                        ROLE + delta("{'content':'Hi'}") + "event: error\ndata: upstream overloaded\n\n" + DONE,
                        "PROVIDER_ERROR", false, new Text("Hi")));
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
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        OpenAiChatProvider provider = provider();
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

    @Test
    void returnsAtDoneWithoutWaitingForTheConnectionToClose() throws Exception {
        server.then(FixtureServer.Reply.stream("text/event-stream", ROLE + delta("{'content':'Hi'}") + finish("stop") + DONE)
                .ending(FixtureServer.Ending.STALL));
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                provider().stream(OpenAiFixtures.call(), events::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(runner.join(Duration.ofSeconds(5))).as("returned at [DONE]").isTrue();
        assertThat(events).containsExactly(new Text("Hi"), new Finished(FinishReason.STOP, "stop"));
    }

    @Test
    void anErrorThatEchoesTheKeyOrAQuotedChunkNeverShowsIt() {
        for (String wire : List.of(data("{'error':{'message':'invalid key " + KEY + "','type':'invalid_request_error'}}"),
                "data: {\"oops\": \"" + KEY + "\"\n\n")) {
            server.then(FixtureServer.Reply.stream("text/event-stream", wire));
            assertThatThrownBy(() -> provider().stream(OpenAiFixtures.call(), e -> { }))
                    .isInstanceOfSatisfying(ProviderException.class,
                            e -> assertThat(e.getMessage()).doesNotContain(KEY).contains("***"));
        }
    }

    private OpenAiChatProvider provider() {
        return new OpenAiChatProvider(OpenAiFixtures.settings(server.baseUrl(), KEY, Map.of(), Map.of()));
    }

    /** Single quotes to double quotes, so that JSON reads well inside Java strings. */
    static String q(String json) {
        return json.replace('\'', '"');
    }

    static String data(String json) {
        return "data: " + q(json) + "\n\n";
    }

    static String delta(String delta) {
        return data("{'id':'chatcmpl-1','object':'chat.completion.chunk','created':1741569952,'model':'m',"
                + "'choices':[{'index':0,'delta':" + delta + ",'logprobs':null,'finish_reason':null}]}");
    }

    static String finish(String reason) {
        return data("{'id':'chatcmpl-1','object':'chat.completion.chunk','created':1741569952,'model':'m',"
                + "'choices':[{'index':0,'delta':{},'logprobs':null,'finish_reason':'" + reason + "'}]}");
    }

    /** A tool call fragment; the raw arguments piece is JSON-encoded as a provider would. */
    static String toolCall(int index, String id, String name, String arguments) {
        StringBuilder call = new StringBuilder("{'index':").append(index);
        if (id != null) {
            call.append(",'id':'").append(id).append("','type':'function'");
        }
        call.append(",'function':{").append(name == null ? "" : "'name':'" + name + "',")
                .append("'arguments':ARGS}}");
        String chunk = q("{'id':'chatcmpl-1','object':'chat.completion.chunk','choices':[{'index':0,'delta':{'tool_calls':["
                + call + "]},'finish_reason':null}]}");
        return "data: " + chunk.replace("ARGS", jsonString(arguments)) + "\n\n";
    }

    private static String perplexity(String delta, String finishReason, int completionTokens) {
        return data("{'id':'p1','model':'sonar','created':1,'usage':{'prompt_tokens':5,'completion_tokens':" + completionTokens
                + ",'total_tokens':" + (5 + completionTokens) + ",'search_context_size':'low'},'citations':"
                + "['https://example.org/a'],'search_results':[{'title':'A','url':'https://example.org/a','date':null}],"
                + "'object':'chat.completion.chunk','choices':[{'index':0,'finish_reason':" + finishReason
                + ",'message':{'role':'assistant','content':''},'delta':" + delta + "}]}");
    }

    private static String vllm(String delta, String finishReason, int completionTokens) {
        return "{'id':'chatcmpl-v','object':'chat.completion.chunk','created':1,'model':'m','choices':[{'index':0,'delta':"
                + delta + ",'logprobs':null,'finish_reason':" + finishReason + "}],'usage':{'prompt_tokens':12,"
                + "'total_tokens':" + (12 + completionTokens) + ",'completion_tokens':" + completionTokens + "}}";
    }

    private static String ollama(String delta) {
        return data("{'id':'chatcmpl-7','object':'chat.completion.chunk','created':1,'model':'qwen3','system_fingerprint':"
                + "'fp_ollama','choices':[{'index':0,'delta':" + delta + ",'finish_reason':''}]}");
    }

    private static String jsonString(String raw) {
        try {
            return JSON.writeValueAsString(raw);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
