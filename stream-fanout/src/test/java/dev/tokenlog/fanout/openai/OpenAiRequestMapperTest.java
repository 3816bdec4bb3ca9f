package dev.tokenlog.fanout.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.api.RequestFactory;
import dev.tokenlog.fanout.api.TestLimits;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a Chat Completions body becomes an LlmRequest, and which bodies are refused with which status. */
class OpenAiRequestMapperTest {
    private static final ModelAliases ALIASES = new ModelAliases(Map.of("gpt-4o", "openai/gpt-4o", "fast", "mock/echo"));
    private static final String USER = "'messages':[{'role':'user','content':'hi'}]";

    @Test
    void aliasesAndProviderModelTargetsMakeTheRouteInOrder() throws Exception {
        LlmRequest request = create("{'model':'gpt-4o','fallbacks':['fast','ollama/llama3.2']," + USER + "}");

        assertThat(request.getRoute()).containsExactly(new RouteTarget("openai", "gpt-4o"),
                new RouteTarget("mock", "echo"), new RouteTarget("ollama", "llama3.2"));
    }

    @Test
    void generationOptionsMapOntoTheNativeParams() throws Exception {
        GenerationParams params = create("{'model':'mock/echo'," + USER + ",'max_completion_tokens':64,"
                + "'temperature':0.5,'top_p':0.9,'stop':'END','metadata':{'mock.tps':'0'},'user':'ignored',"
                + "'seed':7,'stream':true,'stream_options':{'include_usage':true}}").getParams();

        assertThat(params.getMaxTokens()).isEqualTo(64);
        assertThat(params.getTemperature()).isEqualTo(0.5);
        assertThat(params.getTopP()).isEqualTo(0.9);
        assertThat(params.getStop()).containsExactly("END");
        assertThat(create("{'model':'mock/echo'," + USER + ",'max_tokens':5,'stop':['a','b']}").getParams())
                .satisfies(p -> assertThat(p.getMaxTokens()).isEqualTo(5))
                .satisfies(p -> assertThat(p.getStop()).containsExactly("a", "b"));
    }

    @Test
    void toolsBecomeToolDefinitionsWithTheirSchemaAndToolChoiceNoneSendsNone() throws Exception {
        String tools = "'tools':[{'type':'function','function':{'name':'get_weather','description':'Weather now',"
                + "'parameters':{'type':'object','properties':{'city':{'type':'string'}}}}},"
                + "{'type':'function','function':{'name':'now'}}]";

        assertThat(create("{'model':'mock/echo'," + USER + "," + tools + ",'tool_choice':'auto'}").getParams().getTools())
                .containsExactly(new ToolDefinition("get_weather", "Weather now",
                                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"),
                        new ToolDefinition("now", null, "{\"type\":\"object\",\"properties\":{}}"));
        assertThat(create("{'model':'mock/echo'," + USER + "," + tools + ",'tool_choice':'none'}").getParams().getTools())
                .isEmpty();
    }

    @Test
    void fieldsTokenlogHasNoUseForAreIgnoredAtEveryLevelAsSdksSendAnAnswerBackAsItCame() {
        LlmRequest request = create("{'model':'mock/echo','user':'u1','seed':1,'parallel_tool_calls':true,'messages':["
                + "{'role':'user','content':'hi'},{'role':'assistant','content':'hello','refusal':null,'annotations':[]},"
                + "{'role':'user','content':[{'type':'text','text':'more','cache_control':{'type':'ephemeral'}}]}]}");

        assertThat(request.getMessages()).extracting(m -> m.getContent()).containsExactly("hi", "hello", "more");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                refused("unknown model name", "{'model':'gpt-5'," + USER + "}", 404, "model_not_found",
                        "model 'gpt-5' is not known to this gateway: use \"<provider>/<model>\" such as \"mock/echo\" or"
                                + " one of the aliases [fast, gpt-4o]"),
                refused("unknown fallback name", "{'model':'fast','fallbacks':['claude']," + USER + "}", 404,
                        "model_not_found", "fallbacks[0] 'claude' is not known to this gateway: use \"<provider>/<model>\""
                                + " such as \"mock/echo\" or one of the aliases [fast, gpt-4o]"),
                refused("no model", "{" + USER + "}", 400, "invalid_request",
                        "model is required: \"<provider>/<model>\" such as \"mock/echo\" or an alias of [fast, gpt-4o]"),
                refused("empty model half", "{'model':'mock/'," + USER + "}", 400, "invalid_request",
                        "model 'mock/' must be \"<provider>/<model>\", e.g. \"mock/echo\""),
                refused("no messages", "{'model':'mock/echo'}", 400, "invalid_request",
                        "messages must hold at least one message"),
                refused("no body", "", 400, "invalid_request", "request body is required"),
                refused("not JSON", "{'model':", 400, "malformed_json", "request body is not valid JSON: "),
                refused("content of the wrong type", "{'model':'mock/echo','messages':[{'role':'user','content':1.5}]}",
                        400, "invalid_request", "messages[0].content must be a string or a non-empty array of parts"),
                refused("role of the wrong type", "{'model':'mock/echo','messages':[{'role':['user'],'content':'x'}]}",
                        400, "malformed_json", "messages[0].role does not match OpenAI's Chat Completions request: "),
                refused("bad role", "{'model':'mock/echo','messages':[{'role':'robot','content':'x'}]}", 400,
                        "invalid_request", "messages[0].role must be one of "),
                refused("two choices", "{'model':'mock/echo'," + USER + ",'n':2}", 400, "unsupported_parameter",
                        "n must be 1: tokenlog generates one choice per request"),
                refused("logprobs", "{'model':'mock/echo'," + USER + ",'logprobs':true}", 400, "unsupported_parameter",
                        "logprobs is not supported"),
                refused("json mode", "{'model':'mock/echo'," + USER + ",'response_format':{'type':'json_object'}}", 400,
                        "unsupported_parameter", "response_format type 'json_object' is not supported"),
                refused("audio out", "{'model':'mock/echo'," + USER + ",'modalities':['text','audio']}", 400,
                        "unsupported_parameter", "modalities [text, audio] is not supported"),
                refused("forced tool", "{'model':'mock/echo'," + USER + ",'tool_choice':'required'}", 400,
                        "unsupported_parameter", "tool_choice \"required\" is not supported"),
                refused("two max tokens", "{'model':'mock/echo'," + USER + ",'max_tokens':5,'max_completion_tokens':6}",
                        400, "invalid_request", "max_tokens (5) and max_completion_tokens (6) differ; set only one"),
                refused("five stops", "{'model':'mock/echo'," + USER + ",'stop':['a','b','c','d','e']}", 400,
                        "invalid_request", "stop must be a string or an array of at most 4 strings"),
                refused("numeric stop", "{'model':'mock/echo'," + USER + ",'stop':['a',1]}", 400, "invalid_request",
                        "stop[1] must be a string"),
                refused("tool name", "{'model':'mock/echo'," + USER + ",'tools':[{'type':'function','function':"
                        + "{'name':'get weather'}}]}", 400, "invalid_request",
                        "tools[0].function.name must be 1 to 64 letters, digits, _ or -, got 'get weather'"),
                refused("tool schema", "{'model':'mock/echo'," + USER + ",'tools':[{'type':'function','function':"
                        + "{'name':'f','parameters':'none'}}]}", 400, "invalid_request",
                        "tools[0].function.parameters must be a JSON Schema object"),
                refused("tool type", "{'model':'mock/echo'," + USER + ",'tools':[{'type':'code_interpreter','function':"
                        + "{'name':'f'}}]}", 400, "invalid_request", "tools[0].type 'code_interpreter' is not supported"),
                refused("duplicate tool", "{'model':'mock/echo'," + USER + ",'tools':[{'function':{'name':'f'}},"
                        + "{'function':{'name':'f'}}]}", 400, "invalid_request",
                        "tools[1].function.name 'f' is already used by another tool"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithStatusCodeAndAMessageNamingTheField(String name, String body, int status, String code, String message) {
        assertThatThrownBy(() -> create(body)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).startsWith(message);
        });
    }

    @Test
    void aliasNamesMatchIgnoringCaseDashesDotsAndUnderscoresSoEnvironmentVariablesCanDefineThem() {
        ModelAliases fromEnv = new ModelAliases(Map.of("gpt.4o.mini", "openai/gpt-4o-mini"));

        assertThat(fromEnv.resolve("model", "gpt-4o-mini")).isEqualTo("openai/gpt-4o-mini");
        assertThat(fromEnv.resolve("model", "GPT_4o.mini")).isEqualTo("openai/gpt-4o-mini");
        assertThatThrownBy(() -> fromEnv.resolve("model", "gpt-4o")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> new ModelAliases(Map.of("gpt-4o", "openai/gpt-4o", "GPT_4O", "azure/gpt-4o")))
                .hasMessageContaining("two aliases");
    }

    @Test
    void anAliasMustNameAProviderModelTarget() {
        assertThatThrownBy(() -> new ModelAliases(Map.of("broken", "gpt-4o")))
                .hasMessageContaining("tokenlog.gateway.aliases.\"broken\" is 'gpt-4o'");
    }

    @Test
    void errorsTakeOpenAisShapeWithTheFieldTheMessageNamesAsParam() {
        assertThat(OpenAiErrors.body(ApiException.badRequest("messages[0].content[1].image_url.url is required")))
                .isEqualTo(Map.of("error", OpenAiWire.ordered("message", "messages[0].content[1].image_url.url is required",
                        "type", "invalid_request_error", "param", "messages[0].content[1].image_url.url",
                        "code", "invalid_request")));
        assertThat(OpenAiErrors.paramOf("max_tokens must be at least 1")).isEqualTo("max_tokens");
        assertThat(OpenAiErrors.paramOf("request body is required")).isNull();
        assertThat(OpenAiErrors.paramOf("the request does not fit in one record")).isNull();
        assertThat(OpenAiErrors.typeOf(413)).isEqualTo("invalid_request_error");
        assertThat(OpenAiErrors.typeOf(503)).isEqualTo("server_error");
    }

    private static Arguments refused(String name, String body, int status, String code, String message) {
        return Arguments.of(name, body, status, code, message);
    }

    private static LlmRequest create(String body) {
        ChatCompletionRequest request = ChatRequestMapper.parse(body.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
        return RequestFactory.create(ChatRequestMapper.map(request, ALIASES), null, TestLimits.DEFAULTS);
    }
}
