package dev.tokenlog.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.fanout.GatewayApi;
import dev.tokenlog.fanout.SseClient;
import dev.tokenlog.fanout.TestJson;
import dev.tokenlog.fanout.WorkerJvm;
import dev.tokenlog.schemas.Topics;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad HTTP bodies on both ways in, {@code POST /v1/streams} and {@code POST /v1/chat/completions}:
 * malformed JSON, 10 MB bodies (with and without Content-Length; the limit is
 * {@code quarkus.http.limits.max-body-size}, 1M), wrong types, missing fields, unknown models. Each
 * is refused with a 4xx whose message names the problem (OpenAI's error shape on the OpenAI route),
 * nothing reaches {@code llm.requests}, and the gateway stays ready and serves the next good request.
 * Extends {@code EndToEndTest.rejectsBadInputWithPreciseErrors} and {@code OpenAiHttpTest}'s refusals
 * with the checks on Kafka and the wrong-type and oversized cases of both routes.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class BadRequestBodiesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String USER = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    private static final String TEN_MB = "{\"model\":\"mock/echo\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + "x".repeat(10 * 1024 * 1024) + "\"}]}";
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;

    /** A body, the status and code both routes answer it with, and what the message must say. */
    private record Bad(String name, String body, int status, String code, String message) {}

    private static final List<Bad> BOTH_ROUTES = List.of(
            new Bad("malformed JSON", "{\"model\":\"mock/echo\",", 400, "malformed_json", "not valid JSON"),
            new Bad("a JSON array", "[1,2]", 400, "malformed_json", "START_ARRAY"),
            new Bad("max_tokens a string", "{\"model\":\"mock/echo\",\"max_tokens\":\"x\"," + USER + "}", 400,
                    "malformed_json", "max_tokens"),
            new Bad("messages an object", "{\"model\":\"mock/echo\",\"messages\":{}}", 400, "malformed_json", "messages"),
            new Bad("no messages", "{\"model\":\"mock/echo\"}", 400, "invalid_request", "messages"),
            new Bad("message without role", "{\"model\":\"mock/echo\",\"messages\":[{\"content\":\"x\"}]}", 400,
                    "invalid_request", "messages[0].role"),
            new Bad("max_tokens 0", "{\"model\":\"mock/echo\",\"max_tokens\":0," + USER + "}", 400, "invalid_request",
                    "max_tokens 0 is out of range: mock/echo allows 1 to 20000"));

    /**
     * Requests that keep the body's form but break a request limit ({@code tokenlog.limits.*}, defaults; the
     * tests' max_tokens cap of the mock is 20000): each is a 400 naming the limit on both routes.
     */
    private static final List<Bad> OVER_THE_LIMITS = List.of(
            new Bad("max_tokens 100,000,000 for the mock", "{\"model\":\"mock/lorem\",\"max_tokens\":100000000," + USER
                    + "}", 400, "invalid_request", "max_tokens 100000000 is out of range: mock/lorem allows 1 to 20000"
                    + " (tokenlog.limits.providers.mock.max-tokens)"),
            new Bad("50,000 fallbacks", "{\"model\":\"mock/echo\",\"fallbacks\":" + fallbacks(50_000) + "," + USER + "}",
                    400, "invalid_request", "fallbacks has 50000 targets; at most 5 are allowed (tokenlog.limits.max-fallbacks)"),
            new Bad("6 fallbacks", "{\"model\":\"mock/echo\",\"fallbacks\":" + fallbacks(6) + "," + USER + "}", 400,
                    "invalid_request", "fallbacks has 6 targets; at most 5 are allowed (tokenlog.limits.max-fallbacks)"),
            new Bad("first-token timeout of a day", metadata("{\"timeout.first-token-ms\":\"86400000\"}"), 400,
                    "invalid_request", "metadata timeout.first-token-ms '86400000' must be a whole number of milliseconds"
                    + " from 1 to 600000 (tokenlog.limits.max-timeout)"),
            new Bad("mock first-token delay -1", metadata("{\"mock.ttft-ms\":\"-1\"}"), 400, "invalid_request",
                    "metadata mock.ttft-ms '-1' must be a whole number of milliseconds from 0 to 600000"),
            new Bad("mock first-token delay of three years", metadata("{\"mock.ttft-ms\":\"99999999999\"}"), 400,
                    "invalid_request", "(tokenlog.limits.max-timeout)"),
            new Bad("a typo of a control key", metadata("{\"mock.tsp\":\"5\"}"), 400, "invalid_request",
                    "metadata key 'mock.tsp' is not one tokenlog reads"),
            new Bad("100 metadata keys", metadata(keys(100)), 400, "invalid_request",
                    "metadata has 100 keys; at most 32 are allowed (tokenlog.limits.metadata-max-keys)"),
            new Bad("1 MB of metadata", metadata("{\"k\":\"" + "v".repeat(1_000_000) + "\"}"), 400, "invalid_request",
                    "metadata is 1000001 bytes (keys and values, UTF-8); at most 8192 are allowed"
                    + " (tokenlog.limits.metadata-max-bytes)"),
            new Bad("unknown provider", "{\"model\":\"nosuch/x\"," + USER + "}", 400, "invalid_request",
                    "model provider 'nosuch' is not configured; use one of [anthropic, bedrock, gemini, mock, ollama,"
                    + " openai, stub, watsonx] (tokenlog.limits.providers)"),
            new Bad("model with a newline", "{\"model\":\"mock/echo\\nINFO forged log line\"," + USER + "}", 400,
                    "invalid_request", "model model name 'echo?INFO forged log line' may only hold letters, digits"),
            new Bad("10 KB model name", "{\"model\":\"mock/" + "m".repeat(10_240) + "\"," + USER + "}", 400,
                    "invalid_request", "model model name is 10240 characters long; at most 128 are allowed"
                    + " (tokenlog.limits.model-max-length)"));

    @Test
    void badBodiesOnBothRoutesAre4xxAndNothingReachesKafka() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "Malformed, oversized and ill-typed HTTP bodies",
                "malformed JSON, 10 MB bodies (sized and chunked), wrong types, missing fields, unknown models on"
                        + " POST /v1/streams and POST /v1/chat/completions",
                "4xx with a message naming the problem (OpenAI error shape on /v1/chat/completions), llm.requests end"
                        + " offsets unchanged, gateway ready, a good request afterwards answered");
        GatewayApi api = new GatewayApi(base);
        long before = requestsEnd();
        int refused = 0;
        for (Bad bad : BOTH_ROUTES) {
            assertNative(post("/v1/streams", bad.body(), false), bad);
            assertOpenAi(post("/v1/chat/completions", bad.body(), false), bad);
            refused += 2;
        }
        assertNative(post("/v1/streams", "", false), new Bad("empty body", "", 400, "invalid_request", "request body is required"));
        assertNative(post("/v1/streams", "{" + USER + "}", false), new Bad("no model", "", 400, "invalid_request",
                "model is required"));
        assertNative(post("/v1/streams", "{\"model\":\"echo\"," + USER + "}", false), new Bad("model without provider",
                "", 400, "invalid_request", "must be \"<provider>/<model>\""));
        assertOpenAi(post("/v1/chat/completions", "{\"model\":\"no-such-model\"," + USER + "}", false),
                new Bad("unknown model", "", 404, "model_not_found", "'no-such-model' is not known to this gateway"));
        assertOpenAi(post("/v1/chat/completions", "{" + USER + "}", false), new Bad("no model", "", 400,
                "invalid_request", "model is required"));
        refused += 5;
        // A body over the limit is refused with a 413 as soon as the gateway sees it; the gateway may then
        // close the connection while the client is still sending, and the client never reads the 413
        // (HTTP/1.1 has no way round that but Expect: 100-continue). Either way nothing is accepted.
        Bad tenMegabytes = new Bad("10 MB", "", 413, "request_too_large", "larger than 1048576 bytes");
        post413("/v1/streams", false).ifPresent(r -> assertNative(r, tenMegabytes));
        post413("/v1/streams", true).ifPresent(r -> assertThat(r.statusCode())
                .as("10 MB chunked on /v1/streams (Quarkus' own check)").isEqualTo(413));
        refused += 2;
        for (boolean chunked : List.of(false, true)) {
            post413("/v1/chat/completions", chunked).ifPresent(r -> assertOpenAi(r, tenMegabytes));
            refused += 1;
        }
        // A refused body's outcome is its 4xx (or, for the 10 MB ones, the closed connection), checked above.
        s.sent(refused).answered(refused);
        assertThat(requestsEnd()).as("nothing was written to %s", Topics.REQUESTS).isEqualTo(before);
        assertGoodRequestServed(s, api);
        s.note(refused + " refused bodies, " + Topics.REQUESTS + " end offsets unchanged across them");
        s.passed();
    }

    @Test
    void requestsOverTheLimitsOnBothRoutesAre400NamingTheLimitAndNothingReachesKafka() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Requests over the request limits",
                "max_tokens 100,000,000 for the mock, 50,000 and 6 fallbacks, timeout.first-token-ms of a day,"
                        + " mock.ttft-ms -1 and of three years, a typo of a control key, 100 metadata keys, 1 MB of"
                        + " metadata, provider nosuch, a model name with a newline, a 10 KB model name; on POST"
                        + " /v1/streams and POST /v1/chat/completions",
                "400 naming the limit (its tokenlog.limits.* setting) in each API's error shape, llm.requests end"
                        + " offsets unchanged, a good request afterwards answered");
        GatewayApi api = new GatewayApi(base);
        long before = requestsEnd();
        for (Bad bad : OVER_THE_LIMITS) {
            assertNative(post("/v1/streams", bad.body(), false), bad);
            assertOpenAi(post("/v1/chat/completions", bad.body(), false), bad);
        }
        s.sent(2 * OVER_THE_LIMITS.size()).answered(2 * OVER_THE_LIMITS.size());
        assertThat(requestsEnd()).as("nothing was written to %s", Topics.REQUESTS).isEqualTo(before);
        assertGoodRequestServed(s, api);
        s.note(2 * OVER_THE_LIMITS.size() + " requests over the limits refused, " + Topics.REQUESTS
                + " end offsets unchanged across them");
        s.passed();
    }

    private static void assertGoodRequestServed(Scenario s, GatewayApi api) throws Exception {
        api.awaitReady(WAIT);
        JsonNode good = api.createMock("mock/echo", "still serving", 16, "0");
        SseClient.Result sse = SseClient.read(api.url(good.get("events").asText()), null, WAIT);
        assertThat(sse.text()).isEqualTo("still serving")
                .isEqualTo(api.awaitStatus(good.get("id").asText(), "COMPLETED", WAIT).get("text").asText());
        s.sent(1).answered(1).checked(sse.events().size());
    }

    private static String metadata(String json) {
        return "{\"model\":\"mock/echo\",\"metadata\":" + json + "," + USER + "}";
    }

    private static String fallbacks(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "\"mock/echo\"")
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static String keys(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static void assertNative(HttpResponse<String> response, Bad bad) {
        assertThat(response.statusCode()).as("/v1/streams, %s: %s", bad.name(), response.body()).isEqualTo(bad.status());
        JsonNode error = TestJson.parse(response.body()).path("error");
        assertThat(error.path("code").asText()).as("%s: %s", bad.name(), response.body()).isEqualTo(bad.code());
        assertThat(error.path("message").asText()).as(bad.name()).contains(bad.message());
    }

    private static void assertOpenAi(HttpResponse<String> response, Bad bad) {
        assertThat(response.statusCode()).as("/v1/chat/completions, %s: %s", bad.name(), response.body())
                .isEqualTo(bad.status());
        assertThat(response.headers().firstValue("x-stream-id")).as("nothing was accepted").isEmpty();
        JsonNode error = TestJson.parse(response.body()).path("error");
        assertThat(error.path("type").asText()).as("%s: %s", bad.name(), response.body()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).as(bad.name()).isEqualTo(bad.code());
        assertThat(error.path("message").asText()).as(bad.name()).contains(bad.message());
        assertThat(error.has("param")).as("OpenAI's error shape has param").isTrue();
    }

    /** A 10 MB body posted to {@code path}: the response, or empty when the gateway closed the connection first. */
    private Optional<HttpResponse<String>> post413(String path, boolean chunked) throws Exception {
        try {
            return Optional.of(post(path, TEN_MB, chunked));
        } catch (IOException closedWhileSending) {
            return Optional.empty();
        }
    }

    private HttpResponse<String> post(String path, String body, boolean chunked) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))
                : HttpRequest.BodyPublishers.ofByteArray(bytes);
        return HTTP.send(HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + path)).timeout(WAIT)
                .version(HttpClient.Version.HTTP_1_1).header("content-type", "application/json").POST(publisher).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of the end offsets of every partition of {@code llm.requests}. */
    private static long requestsEnd() throws Exception {
        try (Admin admin = TestKafka.shared().admin()) {
            int partitions = admin.describeTopics(List.of(Topics.REQUESTS)).allTopicNames().get()
                    .get(Topics.REQUESTS).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = java.util.stream.IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(Topics.REQUESTS, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        }
    }
}
