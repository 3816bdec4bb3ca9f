package dev.tokenlog.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.fanout.GatewayApi;
import dev.tokenlog.fanout.TestJson;
import dev.tokenlog.fanout.WorkerJvm;
import dev.tokenlog.fanout.quota.Quota;
import dev.tokenlog.fanout.quota.Quotas;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-tenant quotas with auth off, where the tenant is the client's address: this test connects from
 * 127.0.0.2, which the test configuration gives 3 requests in flight, 2 subscriptions and 1 waiting
 * completion (every other address has high limits). Over a limit each route answers 429 with
 * {@code Retry-After} in its API's error shape, nothing reaches Kafka, the rejection is counted, other
 * tenants are not affected, and every slot comes back when what it counted ends (stream end, cancel,
 * client disconnect, a 4xx after the slot was taken): the same tenant can start again.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class QuotaTest {
    private static final String TENANT = "127.0.0.2";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient FROM_TENANT = client();
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @Inject
    Quotas quotas;
    @Inject
    MeterRegistry registry;
    @TestHTTPResource("/")
    String base;

    private static HttpClient client() {
        try {
            return HttpClient.newBuilder().localAddress(InetAddress.getByName(TENANT))
                    .version(HttpClient.Version.HTTP_1_1).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void requestsInFlightOverTheTenantsLimitAre429AndSlotsComeBackWhenStreamsEnd() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Requests in flight over a tenant's quota",
                "one client address starts 3 long streams (its limit, tokenlog.quotas.requests-in-flight), then a"
                        + " 4th on POST /v1/streams and one on POST /v1/chat/completions",
                "429 + Retry-After naming the quota and limit (native and OpenAI error shapes), rejections counted,"
                        + " another address still served, the tenant starts again once its streams ended");
        double rejectedBefore = rejections(Quota.REQUESTS_IN_FLIGHT);
        List<String> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = post("/v1/streams", slowStream());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            running.add(TestJson.parse(created.body()).get("id").asText());
        }
        HttpResponse<String> fourth = post("/v1/streams", slowStream());
        assertThat(fourth.statusCode()).as(fourth.body()).isEqualTo(429);
        assertThat(fourth.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode error = TestJson.parse(fourth.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("quota_exceeded");
        assertThat(error.get("message").asText()).contains("tokenlog.quotas.requests-in-flight").contains(" 3 ");

        HttpResponse<String> chat = post("/v1/chat/completions", chat(false));
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(429);
        assertThat(chat.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(chat.headers().firstValue("X-Stream-Id")).as("nothing was started").isEmpty();
        JsonNode openAi = TestJson.parse(chat.body()).get("error");
        assertThat(openAi.get("type").asText()).isEqualTo("rate_limit_error");
        assertThat(openAi.get("code").asText()).isEqualTo("quota_exceeded");
        assertThat(rejections(Quota.REQUESTS_IN_FLIGHT) - rejectedBefore).isEqualTo(2);

        GatewayApi fromLoopback = new GatewayApi(base);
        String other = fromLoopback.createMock("mock/echo", "another tenant", 8, "0").get("id").asText();
        fromLoopback.awaitStatus(other, "COMPLETED", WAIT);

        for (String id : running) {
            assertThat(fromLoopback.post("/v1/streams/" + id + "/cancel", "").statusCode()).isEqualTo(202);
        }
        for (String id : running) {
            fromLoopback.awaitStatus(id, "CANCELLED", WAIT);
        }
        await().atMost(WAIT).until(() -> quotas.held(Quota.REQUESTS_IN_FLIGHT, TENANT) == 0);
        for (int round = 0; round < 2; round++) { // twice the limit, one after the other: no slot leaks
            List<String> quick = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> again = post("/v1/streams", quickStream());
                assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
                quick.add(TestJson.parse(again.body()).get("id").asText());
            }
            for (String id : quick) {
                fromLoopback.awaitStatus(id, "COMPLETED", WAIT);
            }
            await().atMost(WAIT).until(() -> quotas.held(Quota.REQUESTS_IN_FLIGHT, TENANT) == 0);
        }
        s.sent(12).answered(12); // 3 cancelled, 2 refused, 7 completed
        s.passed();
    }

    @Test
    void subscriptionsOverTheTenantsLimitAre429AndComeBackOnDisconnectEndAndError() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Open SSE subscriptions over a tenant's quota",
                "one client address holds 2 subscriptions (its limit, tokenlog.quotas.subscriptions), then opens a"
                        + " 3rd and asks for a streamed chat completion; disconnects, a 400 after the check, a stream's end",
                "429 + Retry-After naming the quota (and no generation started for the chat call), rejections counted;"
                        + " a disconnect, a 400 and an ended stream each give their subscription back");
        double rejectedBefore = rejections(Quota.SUBSCRIPTIONS);
        GatewayApi fromLoopback = new GatewayApi(base);
        String id = fromLoopback.createMock("mock/lorem", "slow", 400, "20").get("id").asText();
        HttpResponse<InputStream> first = subscribe(id, null);
        HttpResponse<InputStream> second = subscribe(id, null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(quotas.held(Quota.SUBSCRIPTIONS, TENANT)).isEqualTo(2);

        HttpResponse<InputStream> third = subscribe(id, null);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode error = TestJson.parse(new String(third.body().readAllBytes())).get("error");
        assertThat(error.get("code").asText()).isEqualTo("quota_exceeded");
        assertThat(error.get("message").asText()).contains("tokenlog.quotas.subscriptions").contains(" 2 ");
        HttpResponse<String> streamedChat = post("/v1/chat/completions", chat(true));
        assertThat(streamedChat.statusCode()).as(streamedChat.body()).isEqualTo(429);
        assertThat(streamedChat.headers().firstValue("X-Stream-Id")).as("nothing was started").isEmpty();
        assertThat(quotas.held(Quota.REQUESTS_IN_FLIGHT, TENANT)).isZero();
        assertThat(rejections(Quota.SUBSCRIPTIONS) - rejectedBefore).isEqualTo(2);

        int partition = Integer.parseInt(firstEventId(first.body()).split("-")[0]);
        first.body().close(); // the client goes away
        await().atMost(WAIT).until(() -> quotas.held(Quota.SUBSCRIPTIONS, TENANT) == 1);
        HttpResponse<InputStream> beyondTheEnd = subscribe(id, partition + "-999999999");
        assertThat(beyondTheEnd.statusCode()).as("a 400 after the subscription was counted").isEqualTo(400);
        beyondTheEnd.body().close();
        assertThat(quotas.held(Quota.SUBSCRIPTIONS, TENANT)).isEqualTo(1);
        HttpResponse<InputStream> replacement = subscribe(id, null);
        assertThat(replacement.statusCode()).isEqualTo(200);
        second.body().close();
        replacement.body().close();
        await().atMost(WAIT).until(() -> quotas.held(Quota.SUBSCRIPTIONS, TENANT) == 0);
        assertThat(fromLoopback.post("/v1/streams/" + id + "/cancel", "").statusCode()).isEqualTo(202);
        fromLoopback.awaitStatus(id, "CANCELLED", WAIT);

        for (int round = 0; round < 2; round++) { // streams read to their end, twice the limit: no leak
            HttpResponse<String> done = post("/v1/chat/completions", quickChat(true));
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(done.body()).contains("[DONE]");
            await().atMost(WAIT).until(() -> quotas.held(Quota.SUBSCRIPTIONS, TENANT) == 0);
        }
        await().atMost(WAIT).until(() -> quotas.held(Quota.REQUESTS_IN_FLIGHT, TENANT) == 0);
        s.sent(9).answered(9); // 1 cancelled stream, 6 subscriptions (2 refused), 2 streamed chats
        s.passed();
    }

    @Test
    void waitingCompletionsOverTheTenantsLimitAre429AndComeBackOnAnswerAndDisconnect() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Waiting non-streaming completions over a tenant's quota",
                "one client address has 1 stream:false completion waiting (its limit,"
                        + " tokenlog.quotas.waiting-completions), then sends a 2nd; a waiting client disconnects",
                "429 + Retry-After in OpenAI's error shape naming the quota, nothing started, rejection counted; the"
                        + " answer and the disconnect each give the slot back");
        double rejectedBefore = rejections(Quota.WAITING_COMPLETIONS);
        CompletableFuture<HttpResponse<String>> waiting = FROM_TENANT.sendAsync(postRequest("/v1/chat/completions",
                chat(false)), HttpResponse.BodyHandlers.ofString());
        await().atMost(WAIT).until(() -> quotas.held(Quota.WAITING_COMPLETIONS, TENANT) == 1);
        HttpResponse<String> second = post("/v1/chat/completions", quickChat(false));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(second.headers().firstValue("X-Stream-Id")).isEmpty();
        JsonNode error = TestJson.parse(second.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("rate_limit_error");
        assertThat(error.get("code").asText()).isEqualTo("quota_exceeded");
        assertThat(error.get("message").asText()).contains("tokenlog.quotas.waiting-completions").contains(" 1 ");
        assertThat(quotas.held(Quota.REQUESTS_IN_FLIGHT, TENANT)).as("the refused call holds nothing").isEqualTo(1);
        assertThat(rejections(Quota.WAITING_COMPLETIONS) - rejectedBefore).isEqualTo(1);

        HttpResponse<String> answered = waiting.get();
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        for (int i = 0; i < 2; i++) { // one after the other at the limit: each answer frees the slot at once
            HttpResponse<String> next = post("/v1/chat/completions", quickChat(false));
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        }

        CompletableFuture<HttpResponse<String>> abandoned = FROM_TENANT.sendAsync(postRequest("/v1/chat/completions",
                chat(false)), HttpResponse.BodyHandlers.ofString());
        await().atMost(WAIT).until(() -> quotas.held(Quota.WAITING_COMPLETIONS, TENANT) == 1);
        abandoned.cancel(true); // the client goes away while waiting
        await().atMost(WAIT).until(() -> quotas.held(Quota.WAITING_COMPLETIONS, TENANT) == 0);
        await().atMost(WAIT).until(() -> quotas.held(Quota.REQUESTS_IN_FLIGHT, TENANT) == 0);
        s.sent(5).answered(5); // 3 answered, 1 refused, 1 abandoned by its client
        s.passed();
    }

    private double rejections(Quota quota) {
        return registry.get("tokenlog.gateway.quota.rejections").tag("quota", quota.key()).counter().count();
    }

    /** A stream that runs for a minute unless cancelled. */
    private static String slowStream() {
        return """
                {"model":"mock/lorem","messages":[{"role":"user","content":"slow"}],"max_tokens":600,
                 "metadata":{"mock.tps":"10","mock.ttft-ms":"0"}}""";
    }

    private static String quickStream() {
        return """
                {"model":"mock/echo","messages":[{"role":"user","content":"quick"}],"max_tokens":8,
                 "metadata":{"mock.tps":"0","mock.ttft-ms":"0"}}""";
    }

    /** A chat call whose answer takes about two seconds. */
    private static String chat(boolean stream) {
        return """
                {"model":"mock/lorem","messages":[{"role":"user","content":"x"}],"max_tokens":20,"stream":%s,
                 "metadata":{"mock.tps":"10","mock.ttft-ms":"0"}}""".formatted(stream);
    }

    private static String quickChat(boolean stream) {
        return """
                {"model":"mock/echo","messages":[{"role":"user","content":"x"}],"max_tokens":8,"stream":%s,
                 "metadata":{"mock.tps":"0","mock.ttft-ms":"0"}}""".formatted(stream);
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return FROM_TENANT.send(postRequest(path, json), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest postRequest(String path, String json) {
        return HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private HttpResponse<InputStream> subscribe(String id, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/streams/" + id + "/events"))
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return FROM_TENANT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String firstEventId(InputStream sse) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(sse, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("id:")) {
                return line.substring(3).trim();
            }
        }
        throw new AssertionError("the stream ended without an event id");
    }

    /** The app's URL by IPv4 address, so that connections from 127.0.0.2 reach it. */
    private URI uri(String path) {
        return URI.create(base.replace("localhost", "127.0.0.1").replaceAll("/$", "") + path);
    }
}
