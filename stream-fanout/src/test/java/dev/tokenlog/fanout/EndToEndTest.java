package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request → worker → chunks → fold → answer → SSE, with the gateway under test in this JVM, the real
 * llm-worker as a child JVM, a real KRaft broker and a real Apicurio registry.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;
    @Inject
    MeterRegistry registry;

    @Test
    void streamsDeltasThenDoneAndTheFinalAnswerHasTheSameText() throws Exception {
        JsonNode created = create("mock/echo", "hello from tokenlog end to end", "20");
        String id = created.get("id").asText();
        assertThat(created.get("events").asText()).isEqualTo("/v1/streams/" + id + "/events");
        assertThat(created.get("token").asText()).isNotBlank();

        SseClient.Result sse = SseClient.read(url(created.get("events").asText()), null, WAIT);

        assertThat(sse.status()).isEqualTo(200);
        assertThat(sse.contentType()).startsWith("text/event-stream");
        assertThat(sse.cacheControl()).isEqualTo("no-cache");
        List<String> names = sse.events().stream().map(SseClient.Event::event).toList();
        assertThat(names.get(0)).isEqualTo("start");
        assertThat(names.get(names.size() - 1)).isEqualTo("done");
        assertThat(names).contains("delta");
        assertThat(sse.text()).isEqualTo("hello from tokenlog end to end");

        JsonNode answer = awaitStatus(id, "COMPLETED");
        assertThat(answer.get("text").asText()).isEqualTo(sse.text());
        assertThat(answer.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(answer.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void theGatewaysHopsOfALiveStreamAreTimed() throws Exception {
        Timer tail = registry.get("tokenlog.gateway.chunk.tail").timer();
        Timer written = registry.get("tokenlog.gateway.chunk.written").timer();
        long tailBefore = tail.count();
        long writtenBefore = written.count();
        // 40 words at 20 tokens/s: a subscriber right after the POST gets most chunks live, seq 16 and 32 among them.
        String words = String.join(" ", java.util.Collections.nCopies(40, "hop"));
        JsonNode created = create("mock/echo", words, "20");
        SseClient.Result sse = SseClient.read(url(created.get("events").asText()), null, WAIT);
        assertThat(sse.text()).isEqualTo(words);
        await().atMost(WAIT).until(() -> written.count() > writtenBefore);
        assertThat(tail.count()).as("sampled chunks read by the tail").isGreaterThan(tailBefore);
        assertThat(tail.max(TimeUnit.SECONDS)).as("producedAt to the tail, s").isBetween(0.0, WAIT.toSeconds() + 0.0);
        assertThat(written.max(TimeUnit.SECONDS)).as("producedAt to the write, s").isBetween(0.0, WAIT.toSeconds() + 0.0);
    }

    @Test
    void postingWithAcceptEventStreamAnswersWithTheStreamItself() throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/v1/streams")))
                        .header("content-type", "application/json").header("Accept", "text/event-stream")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                                {"model":"mock/echo","messages":[{"role":"user","content":"straight back"}],
                                 "metadata":{"mock.tps":"0","mock.ttft-ms":"0"}}""")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        String id = response.headers().firstValue("X-Stream-Id").orElseThrow();
        assertThat(response.body()).contains("event: start").contains("event: done").contains("\"text\":\"straight");
        assertThat(awaitStatus(id, "COMPLETED").get("text").asText()).isEqualTo("straight back");

        java.net.http.HttpResponse<String> bad = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/v1/streams")))
                        .header("content-type", "application/json").header("Accept", "text/event-stream")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("malformed_json");
    }

    @Test
    void resumesAfterLastEventIdWithExactlyTheRemainder() throws Exception {
        String id = create("mock/echo", "one two three four five six", "0").get("id").asText();
        SseClient.Result full = SseClient.read(url("/v1/streams/" + id + "/events"), null, WAIT);
        List<SseClient.Event> events = full.events();

        for (int cut = 0; cut < events.size() - 1; cut++) {
            SseClient.Result rest = SseClient.read(url("/v1/streams/" + id + "/events"), events.get(cut).id(), WAIT);
            assertThat(rest.events()).as("resume after event %d", cut).isEqualTo(events.subList(cut + 1, events.size()));
        }
        assertThat(events).extracting(SseClient.Event::id).doesNotHaveDuplicates().doesNotContainNull();
    }

    @Test
    void answersStatusWhileRunningAndReplaysACompletedStreamInFull() throws Exception {
        String id = create("mock/echo", "slow words arrive one by one here", "10").get("id").asText();
        await().atMost(WAIT).until(() -> List.of("PENDING", "ACCEPTED", "RUNNING", "COMPLETED")
                .contains(getJson("/v1/streams/" + id).get("status").asText()));

        SseClient.Result live = SseClient.read(url("/v1/streams/" + id + "/events"), null, WAIT);
        awaitStatus(id, "COMPLETED");
        SseClient.Result replay = SseClient.read(url("/v1/streams/" + id + "/events"), null, WAIT);

        assertThat(replay.events()).isEqualTo(live.events());
        assertThat(replay.text()).isEqualTo("slow words arrive one by one here");
    }

    @Test
    void acceptsImagePartsAndEarlierToolCallsAndTheMockEchoesTheTextView() throws Exception {
        HttpResponse<String> response = post("/v1/streams", """
                {"model":"mock/echo","metadata":{"mock.tps":"0","mock.ttft-ms":"0"},"messages":[
                  {"role":"user","content":"What time is it?"},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"get_time","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"10:00"},
                  {"role":"user","content":[{"type":"text","text":"and what is this"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                    {"type":"image_url","image_url":{"url":"https://example.org/cat.jpg"}}]}]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = TestJson.parse(response.body()).get("id").asText();

        assertThat(awaitStatus(id, "COMPLETED").get("text").asText()).isEqualTo("and what is this");
    }

    @Test
    void rejectsBadInputWithPreciseErrors() throws Exception {
        assertThat(post("/v1/streams", "{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> noMessages = post("/v1/streams", "{\"model\":\"mock/echo\",\"messages\":[]}");
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(noMessages.body()).contains("messages");
        HttpResponse<String> badModel = post("/v1/streams",
                "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(badModel.statusCode()).isEqualTo(400);
        assertThat(badModel.body()).contains("<provider>/<model>");

        HttpResponse<String> badPart = post("/v1/streams", "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}}]}]}");
        assertThat(badPart.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(badPart.body()).at("/error/message").asText())
                .isEqualTo("messages[0].content[0].type 'input_audio' is not supported; use text or image_url");

        String unknown = "0190f2a0-0000-7000-8000-000000000000";
        assertThat(get("/v1/streams/" + unknown).statusCode()).isEqualTo(404);
        assertThat(SseClient.read(url("/v1/streams/" + unknown + "/events"), null, WAIT).status()).isEqualTo(404);

        String id = create("mock/echo", "x", "0").get("id").asText();
        assertThat(SseClient.read(url("/v1/streams/" + id + "/events"), "not-an-id", WAIT).status()).isEqualTo(400);
    }

    /**
     * Read-your-writes (issue #12): the status read right after {@code done} used to answer ACCEPTED or
     * RUNNING with no text, because the fold's index lags the log by a commit. Now it waits for the fold.
     */
    @Test
    void theStatusReadRightAfterDoneIsAlwaysTheFinalAnswerWithTheStreamedText() throws Exception {
        int rounds = 100;
        Scenario scenario = Scenario.start(Fault.SECURITY, "status read right after done (read-your-writes)",
                rounds + " times: create a mock stream, read its SSE stream to done, GET /v1/streams/{id} at once",
                "every read answers the terminal status COMPLETED with exactly the streamed text, never ACCEPTED or RUNNING");
        for (int i = 0; i < rounds; i++) {
            String prompt = "read your writes " + i;
            String id = create("mock/echo", prompt, "0").get("id").asText();
            SseClient.Result sse = SseClient.read(url("/v1/streams/" + id + "/events"), null, WAIT);
            assertThat(sse.events()).extracting(SseClient.Event::event).last().isEqualTo("done");
            scenario.sent(1).checked(sse.events().size());

            HttpResponse<String> status = get("/v1/streams/" + id);
            assertThat(status.statusCode()).as("round %d: %s", i, status.body()).isEqualTo(200);
            JsonNode answer = TestJson.parse(status.body());
            assertThat(answer.get("status").asText()).as("round %d", i).isEqualTo("COMPLETED");
            assertThat(answer.get("text").asText()).as("round %d", i).isEqualTo(sse.text()).isEqualTo(prompt);
            scenario.answered(1);
        }
        scenario.passed();
    }

    private JsonNode create(String model, String prompt, String tps) throws IOException, InterruptedException {
        return api().createMock(model, prompt, 64, tps);
    }

    private JsonNode awaitStatus(String id, String status) {
        return api().awaitStatus(id, status, WAIT);
    }

    private JsonNode getJson(String path) throws IOException, InterruptedException {
        return api().getJson(path);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return api().get(path);
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return api().post(path, json);
    }

    private String url(String path) {
        return api().url(path);
    }

    private GatewayApi api() {
        return new GatewayApi(base);
    }
}
