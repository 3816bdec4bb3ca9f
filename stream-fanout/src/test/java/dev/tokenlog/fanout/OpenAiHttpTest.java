package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.schemas.Topics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/chat/completions} as plain HTTP against the gateway in this JVM and a real
 * llm-worker (mock provider): the exact SSE bytes of a streamed call, resuming it from every event
 * id, the non-streamed completion, failures, and every refusal in OpenAI's error shape.
 */
@QuarkusTest
@TestProfile(OpenAiTestProfile.class)
class OpenAiHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String FAST = "'metadata':{'mock.tps':'0','mock.ttft-ms':'0'}";
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;

    @BeforeEach
    void awaitGatewayReady() {
        new GatewayApi(base).awaitReady(Duration.ofSeconds(120));
    }

    @Inject
    FanoutKafka kafka;

    @Test
    void aStreamedCallSendsIdentifiedChunksThenFinishUsageAndDone() throws Exception {
        HttpResponse<String> response = http().complete(json("{'model':'fast','stream':true,"
                + "'stream_options':{'include_usage':true},'messages':[{'role':'user','content':'one two three'}]," + FAST + "}"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
        String id = response.headers().firstValue("x-stream-id").orElseThrow();
        assertThat(RequestIds.isValid(id)).isTrue();
        assertThat(response.body()).startsWith("retry: 2000\n").doesNotContain("event:");
        String head = "{\"id\":\"chatcmpl-" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                + RequestIds.timestampOf(id).getEpochSecond() + ",\"model\":\"mock/echo\",";

        List<OpenAiHttp.Event> events = OpenAiHttp.events(response.body());
        assertThat(events).extracting(OpenAiHttp.Event::data).containsExactly(
                head + choice("{\"role\":\"assistant\",\"content\":\"\"}", null) + ",\"usage\":null}",
                head + choice("{\"content\":\"one \"}", null) + ",\"usage\":null}",
                head + choice("{\"content\":\"two \"}", null) + ",\"usage\":null}",
                head + choice("{\"content\":\"three\"}", null) + ",\"usage\":null}",
                head + choice("{}", "stop") + ",\"usage\":null}",
                head + "\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
                "[DONE]");
        List<String> ids = events.stream().map(OpenAiHttp.Event::id).toList();
        assertThat(ids.subList(0, 4)).doesNotContainNull();
        assertThat(ids.subList(4, 6)).containsOnlyNulls();
        assertThat(ids.get(6)).isNotNull();
        List<String> positions = ids.stream().filter(java.util.Objects::nonNull).toList();
        assertThat(positions).allMatch(p -> p.startsWith(positions.getFirst().split("-")[0] + "-"));
        assertThat(positions.stream().mapToLong(p -> Long.parseLong(p.split("-")[1]))).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void heartbeatsOfAPacedStreamAreSingleCommentLinesThatNeverFormAnEventOfTheirOwn() throws Exception {
        HttpResponse<String> response = http().complete(json("{'model':'mock/lorem','stream':true,'max_tokens':3,"
                + "'messages':[{'role':'user','content':'go'}],'metadata':{'mock.tps':'2','mock.ttft-ms':'600'}}"));

        assertThat(response.body()).contains("\n: heartbeat\n").doesNotContain(": heartbeat\n\n")
                .doesNotContain("\n\n\n");
        assertThat(OpenAiHttp.events(response.body())).extracting(OpenAiHttp.Event::data).last().isEqualTo("[DONE]");
    }

    @Test
    void aStreamedCallResumesFromEveryEventIdWithExactlyTheRestAndReplaysInFull() throws Exception {
        HttpResponse<String> call = http().complete(json("{'model':'mock/echo','stream':true,"
                + "'messages':[{'role':'user','content':'resume me from anywhere'}]," + FAST + "}"));
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        String id = call.headers().firstValue("x-stream-id").orElseThrow();
        List<OpenAiHttp.Event> events = OpenAiHttp.events(call.body());
        String path = "/v1/streams/" + id + "/events?format=openai";
        api().awaitStatus(id, "COMPLETED", WAIT);

        HttpResponse<String> replay = http().get(path, null);
        assertThat(replay.headers().firstValue("x-stream-id")).hasValue(id);
        assertThat(OpenAiHttp.events(replay.body())).isEqualTo(events);
        for (int cut = 0; cut < events.size() - 1; cut++) {
            if (events.get(cut).id() != null) {
                HttpResponse<String> rest = http().get(path, events.get(cut).id());
                assertThat(OpenAiHttp.events(rest.body())).as("resume after event %d", cut)
                        .isEqualTo(events.subList(cut + 1, events.size()));
            }
        }
        HttpResponse<String> after = http().get(path + "&after=" + events.get(1).id(), null);
        assertThat(OpenAiHttp.events(after.body())).isEqualTo(events.subList(2, events.size()));
    }

    @Test
    void aNonStreamedCallReturnsTheChatCompletionOfTheFinalAnswer() throws Exception {
        HttpResponse<String> response = http().complete(json("{'model':'mock/echo','messages':["
                + "{'role':'system','content':'be terse'},{'role':'user','content':'hello there'}]," + FAST + "}"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = response.headers().firstValue("x-stream-id").orElseThrow();
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(TestJson.parse(response.body())).isEqualTo(TestJson.parse(("{'id':'chatcmpl-" + id + "',"
                + "'object':'chat.completion','created':" + RequestIds.timestampOf(id).getEpochSecond() + ","
                + "'model':'mock/echo','choices':[{'index':0,'message':{'role':'assistant','content':'hello there',"
                + "'refusal':null},'logprobs':null,'finish_reason':'stop'}],'usage':{'prompt_tokens':4,"
                + "'completion_tokens':2,'total_tokens':6,'prompt_tokens_details':{'cached_tokens':0},"
                + "'completion_tokens_details':{'reasoning_tokens':0}}}").replace('\'', '"')));
        assertThat(api().stream(id).get("text").asText()).isEqualTo("hello there");
    }

    @Test
    void aProviderFailureAfterOutputIsAnErrorEventThenDoneAndA502WithoutStreaming() throws Exception {
        String failing = "'model':'mock/lorem','max_tokens':10,'messages':[{'role':'user','content':'go'}],"
                + "'metadata':{'mock.tps':'0','mock.ttft-ms':'0','mock.fail-after':'3'}";
        HttpResponse<String> streamed = http().complete(json("{'stream':true," + failing + "}"));

        List<OpenAiHttp.Event> events = OpenAiHttp.events(streamed.body());
        String error = "{\"error\":{\"message\":\"mock failure injected after 3 tokens (mock.fail-after)\","
                + "\"type\":\"server_error\",\"param\":null,\"code\":\"provider_error\"}}";
        assertThat(events).hasSize(6);
        assertThat(events.subList(1, 4)).allSatisfy(e -> assertThat(e.data()).contains("\"content\":\""));
        assertThat(events.get(4)).isEqualTo(new OpenAiHttp.Event(null, error));
        assertThat(events.get(5).data()).isEqualTo("[DONE]");
        assertThat(events.get(5).id()).isNotNull();

        HttpResponse<String> whole = http().complete(json("{" + failing + "}"));
        assertThat(whole.statusCode()).isEqualTo(502);
        assertThat(whole.headers().firstValue("x-stream-id")).isPresent();
        assertThat(TestJson.parse(whole.body())).isEqualTo(TestJson.parse(error));
    }

    @Test
    void aModelTheWorkerDoesNotKnowIsA404ModelNotFound() throws Exception {
        HttpResponse<String> response = http().complete(json("{'model':'mock/gpt-5','messages':[{'role':'user',"
                + "'content':'x'}]," + FAST + "}"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(response.headers().firstValue("x-stream-id")).isPresent();
        JsonNode error = TestJson.parse(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        assertThat(error.get("message").asText()).contains("mock provider has no model 'gpt-5'");
    }

    @Test
    void aCancelEndsTheStreamedCallWithACancelledErrorThenDone() throws Exception {
        HttpResponse<InputStream> call = http().open(json("{'model':'mock/lorem','stream':true,'max_tokens':200,"
                + "'messages':[{'role':'user','content':'go'}],'metadata':{'mock.tps':'20','mock.ttft-ms':'0'}}"));
        String id = call.headers().firstValue("x-stream-id").orElseThrow();
        StringBuilder body = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(call.body(), StandardCharsets.UTF_8))) {
            boolean cancelled = false;
            for (String line; (line = reader.readLine()) != null; ) {
                body.append(line).append('\n');
                if (!cancelled && line.contains("\"content\":\"lorem ")) {
                    assertThat(api().post("/v1/streams/" + id + "/cancel", "").statusCode()).isEqualTo(202);
                    cancelled = true;
                }
            }
        }

        List<OpenAiHttp.Event> events = OpenAiHttp.events(body.toString());
        assertThat(events.getLast().data()).isEqualTo("[DONE]");
        assertThat(TestJson.parse(events.get(events.size() - 2).data()).at("/error/code").asText()).isEqualTo("cancelled");
        assertThat(events.size()).as("cancelled well before 200 words").isLessThan(150);
    }

    @Test
    void aNonStreamedCallThatOutlastsTheCompletionTimeoutIsA504ThatMustNotBeRetried() throws Exception {
        HttpResponse<String> response = http().complete(json("{'model':'mock/lorem','max_tokens':40,"
                + "'messages':[{'role':'user','content':'go'}],'metadata':{'mock.tps':'2','mock.ttft-ms':'0'}}"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        assertThat(response.headers().firstValue("x-should-retry")).hasValue("false");
        String id = response.headers().firstValue("x-stream-id").orElseThrow();
        JsonNode error = TestJson.parse(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("answer_timeout");
        assertThat(error.get("message").asText()).contains("completion-timeout").contains("GET /v1/streams/" + id);
        assertThat(api().stream(id).get("status").asText()).as("the request runs on").isEqualTo("RUNNING");
        api().post("/v1/streams/" + id + "/cancel", "");
    }

    @Test
    void aNewAttemptAfterOutputEndsTheStreamRestartedAndTheEndedStreamReplaysOnlyTheFinalAttempt() throws Exception {
        String id = RequestIds.newId();
        Instant at = RequestIds.timestampOf(id);
        produce(new ChunkRecord(id, "a1", 0L, at, new Started("mock", "echo", 0)),
                new ChunkRecord(id, "a1", 1L, at, new TextDelta("lost ")),
                new ChunkRecord(id, "a2", 0L, at, new Started("mock", "echo", 0)),
                new ChunkRecord(id, "a2", 1L, at, new TextDelta("kept")));
        String path = "/v1/streams/" + id + "/events?format=openai";

        List<OpenAiHttp.Event> live = OpenAiHttp.events(http().get(path, null).body());
        assertThat(live).extracting(OpenAiHttp.Event::data).satisfiesExactly(
                role -> assertThat(role).contains("\"role\":\"assistant\""),
                lost -> assertThat(lost).contains("\"content\":\"lost \""),
                error -> assertThat(TestJson.parse(error).at("/error/code").asText()).isEqualTo("stream_restarted"),
                done -> assertThat(done).isEqualTo("[DONE]"));
        assertThat(live.get(2).id()).isNull();
        assertThat(live.get(3).id()).isNull();

        produce(new ChunkRecord(id, "a2", 2L, at, new Completed(FinishReason.STOP, "stop")));
        api().awaitStatus(id, "COMPLETED", WAIT);
        List<OpenAiHttp.Event> replay = OpenAiHttp.events(http().get(path, null).body());
        assertThat(replay).extracting(OpenAiHttp.Event::data).satisfiesExactly(
                role -> assertThat(role).contains("\"role\":\"assistant\""),
                kept -> assertThat(kept).contains("\"content\":\"kept\""),
                finish -> assertThat(finish).contains("\"finish_reason\":\"stop\""),
                done -> assertThat(done).isEqualTo("[DONE]"));
    }

    static Stream<Arguments> refusals() {
        String user = "'messages':[{'role':'user','content':'x'}]";
        return Stream.of(
                refusal("malformed JSON", "{\"model\":", 400, "malformed_json", null),
                refusal("no body", "", 400, "invalid_request", null),
                refusal("messages of the wrong type", "{'model':'mock/echo','messages':'hi'}", 400, "malformed_json",
                        "messages"),
                refusal("no messages", "{'model':'mock/echo','messages':[]}", 400, "invalid_request", "messages"),
                refusal("model without a provider", "{'model':'gpt-4o'," + user + "}", 404, "model_not_found", "model"),
                refusal("unknown alias in fallbacks", "{'model':'fast','fallbacks':['slow']," + user + "}", 404,
                        "model_not_found", "fallbacks[0]"),
                refusal("bad role", "{'model':'mock/echo','messages':[{'role':'robot','content':'x'}]}", 400,
                        "invalid_request", "messages[0].role"),
                refusal("image in a system message", "{'model':'mock/echo','messages':[{'role':'system','content':["
                        + "{'type':'image_url','image_url':{'url':'https://example.org/a.png'}}]}]}", 400,
                        "invalid_request", "messages[0].content[0]"),
                refusal("image URL scheme", "{'model':'mock/echo','messages':[{'role':'user','content':["
                        + "{'type':'image_url','image_url':{'url':'ftp://example.org/a.png'}}]}]}", 400,
                        "invalid_request", "messages[0].content[0].image_url.url"),
                refusal("two choices", "{'model':'mock/echo','n':3," + user + "}", 400, "unsupported_parameter", "n"),
                refusal("temperature", "{'model':'mock/echo','temperature':3," + user + "}", 400, "invalid_request",
                        "temperature"),
                refusal("bad tool", "{'model':'mock/echo','tools':[{'type':'function','function':{}}]," + user + "}",
                        400, "invalid_request", "tools[0].function.name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesInOpenAisErrorShapeBeforeAnythingReachesKafka(String name, String body, int status, String code,
                                                              String param) throws Exception {
        HttpResponse<String> response = http().complete(body.isEmpty() ? "" : json(body));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-stream-id")).as("nothing was accepted").isEmpty();
        assertOpenAiError(response, "invalid_request_error", code, param);
    }

    @Test
    void aBodyOverTheLimitIsA413InOpenAisShapeWithOrWithoutContentLength() throws Exception {
        String big = json("{'model':'mock/echo','messages':[{'role':'user','content':'" + "x".repeat(1_100_000) + "'}]}");

        HttpResponse<String> sized = http().complete(big);
        assertThat(sized.statusCode()).isEqualTo(413);
        assertOpenAiError(sized, "invalid_request_error", "request_too_large", null);

        HttpResponse<String> chunked = http().completeChunked(big.getBytes(StandardCharsets.UTF_8));
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertOpenAiError(chunked, "invalid_request_error", "request_too_large", null);
    }

    @Test
    void theEventsEndpointRefusesInOpenAisShapeWhenAskedForIt() throws Exception {
        String unknown = "0190f2a0-0000-7000-8000-000000000000";
        HttpResponse<String> missing = http().get("/v1/streams/" + unknown + "/events?format=openai", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertOpenAiError(missing, "invalid_request_error", "not_found", null);

        HttpResponse<String> format = http().get("/v1/streams/" + unknown + "/events?format=anthropic", null);
        assertThat(format.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(format.body()).at("/error/code").asText()).isEqualTo("invalid_request");

        String id = http().complete(json("{'model':'mock/echo','messages':[{'role':'user','content':'x'}]," + FAST + "}"))
                .headers().firstValue("x-stream-id").orElseThrow();
        HttpResponse<String> usage = http().get("/v1/streams/" + id + "/events?format=openai&include_usage=maybe", null);
        assertThat(usage.statusCode()).isEqualTo(400);
        assertOpenAiError(usage, "invalid_request_error", "invalid_request", null);
    }

    private static void assertOpenAiError(HttpResponse<String> response, String type, String code, String param) {
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        JsonNode body = TestJson.parse(response.body());
        assertThat(body.size()).isEqualTo(1);
        JsonNode error = body.get("error");
        List<String> fields = new ArrayList<>();
        error.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("message", "type", "param", "code");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
    }

    private static Arguments refusal(String name, String body, int status, String code, String param) {
        return Arguments.of(name, body, status, code, param);
    }

    private static String choice(String delta, String finishReason) {
        return "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]";
    }

    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private void produce(ChunkRecord... chunks) throws Exception {
        var serializer = kafka.clients().serializer(ChunkRecord.class);
        for (ChunkRecord chunk : chunks) {
            kafka.producer().send(new ProducerRecord<>(Topics.CHUNKS, chunk.getRequestId(),
                    serializer.serialize(Topics.CHUNKS, chunk))).get();
        }
    }

    private OpenAiHttp http() {
        return new OpenAiHttp(api());
    }

    private GatewayApi api() {
        return new GatewayApi(base);
    }
}
