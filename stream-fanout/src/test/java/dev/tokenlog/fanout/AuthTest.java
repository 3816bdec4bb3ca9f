package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys on: the key's tenant owns what it creates; the owner's key or the stream's read token reads
 * and subscribes, the owner's key or its cancel token cancels; another tenant gets the same 404 as for a
 * stream that does not exist; no credential is a 401 before any lookup (no existence oracle); keys
 * never show up in answers. Also the attacks of issue 12 on this profile: tokens of the wrong scope,
 * expired, altered or of the old format; unauthenticated and unpaginated throughput metrics; POSTs that
 * are not JSON (CSRF); provider addresses and exception classes in errors. A read token on the cancel
 * route is a 403 ({@code insufficient_scope}): it is authentic, so it proves the holder knows the stream.
 */
@QuarkusTest
@TestProfile(AuthTest.KeysRequired.class)
class AuthTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ALICE = "sk-alice-0123456789";
    private static final String BOB = "sk-bob-9876543210";
    /** The gateway's token secret: the tests forge tokens with it. */
    static final String SECRET = "auth-test-token-secret-0123456789abcdef";
    /** A provider entry of the worker whose base URL is a closed port. */
    private static final String REFUSED = "refused";
    private static final int REFUSED_PORT = closedPort();
    /** An id of no stream, from 2024: past the pending grace. */
    private static final String UNKNOWN = "0190f2a0-0000-7000-8000-000000000000";
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm(Map.of(
            "TOKENLOG_PROVIDERS_REFUSED_TYPE", "openai",
            "TOKENLOG_PROVIDERS_REFUSED_BASE_URL", "http://127.0.0.1:" + REFUSED_PORT + "/v1",
            "TOKENLOG_PROVIDERS_REFUSED_API_KEY", "sk-upstream",
            "TOKENLOG_PROVIDERS_REFUSED_MAX_RETRIES", "0"));

    public static final class KeysRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenlog.auth.enabled", "true", "tokenlog.auth.keys", "alice:" + ALICE + ",bob:" + BOB,
                    "tokenlog.gateway.token-secret", SECRET,
                    // the provider entry the test's worker has for a closed port; the gateway accepts configured providers only
                    "tokenlog.limits.providers." + REFUSED + ".max-tokens", "32768");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TokenlogTestResource.class));
        }
    }

    @TestHTTPResource("/")
    String base;

    @Test
    void onlyTheOwnerOrTheTokenHolderSeesAStream() throws Exception {
        String body = """
                {"model":"mock/echo","messages":[{"role":"user","content":"owned by alice"}],"max_tokens":16,
                 "metadata":{"mock.tps":"0","mock.ttft-ms":"0"}}""";
        assertThat(send("POST", "/v1/streams", body, null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrongKey = send("POST", "/v1/streams", body, "sk-nobody");
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(wrongKey.body()).contains("unauthorized").doesNotContain("sk-nobody");

        HttpResponse<String> created = send("POST", "/v1/streams", body, ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonNode json = TestJson.parse(created.body());
        String id = json.get("id").asText();
        String token = json.get("token").asText();
        GatewayApi api = new GatewayApi(base);
        JsonNode[] answer = new JsonNode[1];
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
            HttpResponse<String> status = send("GET", "/v1/streams/" + id, null, ALICE);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            answer[0] = TestJson.parse(status.body());
            return answer[0].get("status").asText().equals("COMPLETED");
        });
        assertThat(answer[0].get("text").asText()).isEqualTo("owned by alice");

        String unknown = RequestIds.newId();
        HttpResponse<String> asBob = send("GET", "/v1/streams/" + id, null, BOB);
        assertThat(asBob.statusCode()).isEqualTo(404);
        assertThat(asBob.body()).doesNotContain("owned by alice");
        assertThat(send("GET", "/v1/streams/" + id, null, null).statusCode()).as("no credential").isEqualTo(401);
        assertThat(send("GET", "/v1/streams/" + id + "?token=" + token, null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/streams/" + id + "?token=" + token.substring(0, token.length() - 2) + "xx", null, null)
                .statusCode()).as("a forged token").isEqualTo(401);
        assertThat(send("POST", "/v1/streams/" + id + "/cancel", "", BOB).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/v1/streams/" + id + "/cancel?token=" + json.get("cancel_token").asText(), "", null)
                .statusCode()).as("the cancel token of an ended stream").isEqualTo(409);

        SseClient.Result withToken = SseClient.read(api.url("/v1/streams/" + id + "/events?token=" + token), null, WAIT);
        assertThat(withToken.status()).isEqualTo(200);
        assertThat(withToken.text()).isEqualTo("owned by alice");
        SseClient.Result noToken = SseClient.read(api.url("/v1/streams/" + id + "/events"), null, WAIT);
        assertThat(noToken.status()).isEqualTo(401);
        HttpResponse<String> bobEvents = send("GET", "/v1/streams/" + id + "/events", null, BOB);
        assertThat(bobEvents.statusCode()).isEqualTo(404);
        HttpResponse<String> aliceEvents = send("GET", "/v1/streams/" + id + "/events", null, ALICE);
        assertThat(aliceEvents.statusCode()).isEqualTo(200);
        assertThat(aliceEvents.body()).contains("event: done");
        assertThat(send("GET", "/v1/streams/" + unknown, null, BOB).statusCode()).as("young unknown id")
                .isEqualTo(200); // PENDING: reveals nothing

        String chat = """
                {"model":"mock/echo","messages":[{"role":"user","content":"chat as bob"}],"stream":false}""";
        HttpResponse<String> anonymousChat = send("POST", "/v1/chat/completions", chat, null);
        assertThat(anonymousChat.statusCode()).isEqualTo(401);
        assertThat(TestJson.parse(anonymousChat.body()).path("error").path("message").asText()).contains("API key");
        HttpResponse<String> bobChat = send("POST", "/v1/chat/completions", chat, BOB);
        assertThat(bobChat.statusCode()).as(bobChat.body()).isEqualTo(200);
        String bobStream = bobChat.headers().firstValue("X-Stream-Id").orElseThrow();
        assertThat(send("GET", "/v1/streams/" + bobStream, null, BOB).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/streams/" + bobStream, null, ALICE).statusCode()).as("bob owns it").isEqualTo(404);
    }

    @Test
    void withoutACredentialEveryStreamRouteIs401WhetherOrNotTheStreamExists() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Existence oracle",
                "GET /v1/streams/{id}, GET .../events and POST .../cancel without a credential, with a bad token and"
                        + " with another tenant's key, for an existing stream, an unknown id and a malformed id",
                "401 for all without a valid credential (before: 404 for unknown ids, 401 for existing ones);"
                        + " 404 with the same message for another tenant's stream and an unknown one");
        String id = create(ALICE, "{\"mock.tps\":\"0\",\"mock.ttft-ms\":\"0\"}").get("id").asText();
        // Indexed and ended, so it is no longer PENDING (which reveals nothing to anyone holding a key).
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> TestJson.parse(send("GET", "/v1/streams/" + id, null,
                ALICE).body()).path("status").asText().equals("COMPLETED"));
        for (String stream : List.of(id, UNKNOWN, "not-a-stream")) {
            for (String[] route : streamRoutes(stream)) {
                HttpResponse<String> none = send(route[0], route[1], route[0].equals("POST") ? "" : null, null);
                assertThat(none.statusCode()).as("%s %s without a credential: %s", route[0], route[1], none.body())
                        .isEqualTo(401);
                assertThat(TestJson.parse(none.body()).at("/error/code").asText()).isEqualTo("unauthorized");
                String badToken = route[1] + (route[1].contains("?") ? "&" : "?") + "token=v2.read.9999999999.forged";
                assertThat(send(route[0], badToken, route[0].equals("POST") ? "" : null, null).statusCode())
                        .as("%s with a forged token", badToken).isEqualTo(401);
                s.sent(2).answered(2);
            }
        }
        for (String stream : List.of(id, UNKNOWN)) {
            for (String[] route : streamRoutes(stream)) {
                HttpResponse<String> asBob = send(route[0], route[1], route[0].equals("POST") ? "" : null, BOB);
                assertThat(asBob.statusCode()).as("%s %s as bob", route[0], route[1]).isEqualTo(404);
                assertThat(TestJson.parse(asBob.body()).at("/error/message").asText())
                        .isEqualTo("no stream with id '" + stream + "'");
                s.sent(1).answered(1);
            }
        }
        s.passed();
    }

    @Test
    void aReadTokenCannotCancelAndAlteredExpiredOrOldTokensAreRefused() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Stream token scope, expiry and format",
                "a read token on the cancel route; the read token with its scope changed to cancel; a correctly signed"
                        + " expired token; a correctly signed token of the old format (<expiry>.<hmac>)",
                "403 insufficient_scope for the read token (before: 202, the stream cancelled); 401 for the others"
                        + " (before: the old format read the stream); tokens expire after 1 h (before: 24 h)");
        // The first token only after 5 s: the stream is still running while it is cancelled.
        JsonNode created = create(ALICE, "{\"mock.tps\":\"0\",\"mock.ttft-ms\":\"5000\"}");
        String id = created.get("id").asText();
        String read = created.get("token").asText();
        String cancel = created.get("cancel_token").asText();
        long expiry = Long.parseLong(read.split("\\.")[2]);
        assertThat(expiry - Instant.now().getEpochSecond()).as("default TTL 1 h").isBetween(3500L, 3600L);

        HttpResponse<String> readCancels = send("POST", "/v1/streams/" + id + "/cancel?token=" + read, "", null);
        assertThat(readCancels.statusCode()).as(readCancels.body()).isEqualTo(403);
        assertThat(TestJson.parse(readCancels.body()).at("/error/code").asText()).isEqualTo("insufficient_scope");
        String widened = read.replace("v2.read.", "v2.cancel.");
        assertThat(send("POST", "/v1/streams/" + id + "/cancel?token=" + widened, "", null).statusCode())
                .as("scope changed in the token").isEqualTo(401);
        assertThat(send("GET", "/v1/streams/" + id + "?token=" + cancel, null, null).statusCode())
                .as("a cancel token does not read").isEqualTo(403);
        long past = Instant.now().minusSeconds(5).getEpochSecond();
        String expired = "v2.read." + past + "." + hmac("v2\nread\n" + id + "\n" + past);
        assertThat(send("GET", "/v1/streams/" + id + "?token=" + expired, null, null).statusCode())
                .as("expired").isEqualTo(401);
        long future = Instant.now().plusSeconds(600).getEpochSecond();
        String oldFormat = future + "." + hmac(id + "." + future);
        assertThat(send("GET", "/v1/streams/" + id + "?token=" + oldFormat, null, null).statusCode())
                .as("old format").isEqualTo(401);
        assertThat(send("GET", "/v1/streams/" + id + "?token=" + read, null, null).statusCode()).isEqualTo(200);
        s.sent(5).answered(5);

        HttpResponse<String> cancelled = send("POST", "/v1/streams/" + id + "/cancel?token=" + cancel, "", null);
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
        SseClient.Result events = SseClient.read(new GatewayApi(base).url("/v1/streams/" + id + "/events?token=" + read),
                null, WAIT);
        assertThat(events.events()).last().extracting(SseClient.Event::event).isEqualTo("cancelled");
        s.passed();
    }

    @Test
    void throughputMetricsNeedAKey() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Unauthenticated throughput metrics",
                "GET /v1/metrics/throughput without a key and with a wrong one",
                "401 (before: 200 with every provider's and model's windows); with a key: a page of windows");
        assertThat(send("GET", "/v1/metrics/throughput", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/v1/metrics/throughput", null, "sk-nobody").statusCode()).isEqualTo(401);
        HttpResponse<String> withKey = send("GET", "/v1/metrics/throughput?limit=1", null, BOB);
        assertThat(withKey.statusCode()).as(withKey.body()).isEqualTo(200);
        assertThat(TestJson.parse(withKey.body()).get("windows").isArray()).isTrue();
        s.sent(3).answered(3).passed();
    }

    @Test
    void everyPostRouteRefusesABodyThatIsNotJson() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Cross-site POSTs (CSRF)",
                "POST /v1/streams (JSON and event-stream answers), /v1/streams/{id}/cancel and /v1/chat/completions"
                        + " with a valid key and Content-Type text/plain, application/x-www-form-urlencoded,"
                        + " multipart/form-data or none",
                "415 unsupported_media_type in the route's error shape (before: cancel 202 and chat 200 for all,"
                        + " the event-stream POST accepted text/plain)");
        String id = create(ALICE, "{\"mock.tps\":\"0\",\"mock.ttft-ms\":\"0\"}").get("id").asText();
        String stream = """
                {"model":"mock/echo","messages":[{"role":"user","content":"csrf"}],"max_tokens":4}""";
        String chat = """
                {"model":"mock/echo","messages":[{"role":"user","content":"csrf"}],"stream":false}""";
        List<String[]> posts = List.of(new String[] {"/v1/streams", stream, ""},
                new String[] {"/v1/streams", stream, "text/event-stream"},
                new String[] {"/v1/streams/" + id + "/cancel", "", ""},
                new String[] {"/v1/chat/completions", chat, ""});
        for (String[] post : posts) {
            for (String type : Arrays.asList("text/plain", "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x", null)) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + post[0]))
                        .POST(HttpRequest.BodyPublishers.ofString(post[1])).header("Authorization", "Bearer " + ALICE);
                if (type != null) {
                    request.header("Content-Type", type);
                }
                if (!post[2].isEmpty()) {
                    request.header("Accept", post[2]);
                }
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("POST %s (%s) as %s: %s", post[0], post[2], type, response.body())
                        .isEqualTo(415);
                JsonNode error = TestJson.parse(response.body()).get("error");
                assertThat(error.get("code").asText()).isEqualTo("unsupported_media_type");
                assertThat(error.get("message").asText()).contains("application/json");
                if (post[0].startsWith("/v1/chat/")) {
                    assertThat(error.get("type").asText()).as("OpenAI's shape").isEqualTo("invalid_request_error");
                }
                s.sent(1).answered(1);
            }
        }
        assertThat(send("POST", "/v1/streams/" + id + "/cancel", "", ALICE).statusCode()).as("as JSON")
                .isIn(202, 409);
        s.passed();
    }

    @Test
    void aProviderFailureReachesTheClientWithoutTheProviderAddressOrExceptionClass() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Provider address in client errors",
                "a stream and a chat completion whose provider entry points at a closed port on 127.0.0.1",
                "the error event and the chat error name the entry and CONNECT_ERROR but no host, port or exception"
                        + " class (before: 'cannot connect to refused at 127.0.0.1:<port> (ConnectException)')");
        String body = """
                {"model":"refused/gpt-x","messages":[{"role":"user","content":"anyone there?"}],"max_tokens":8}""";
        HttpResponse<String> created = send("POST", "/v1/streams", body, ALICE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        JsonNode json = TestJson.parse(created.body());
        SseClient.Result events = SseClient.read(new GatewayApi(base).url("/v1/streams/" + json.get("id").asText()
                + "/events?token=" + json.get("token").asText()), null, WAIT);
        SseClient.Event error = events.events().getLast();
        assertThat(error.event()).isEqualTo("error");
        assertThat(error.data()).contains("CONNECT_ERROR", REFUSED);
        assertNoAddressOrClass(error.data());

        HttpResponse<String> chat = send("POST", "/v1/chat/completions", """
                {"model":"refused/gpt-x","messages":[{"role":"user","content":"anyone there?"}],"stream":false}""", ALICE);
        assertThat(chat.statusCode()).as(chat.body()).isGreaterThanOrEqualTo(500);
        assertThat(TestJson.parse(chat.body()).at("/error/code").asText()).isEqualTo("connect_error");
        assertNoAddressOrClass(chat.body());
        s.sent(2).answered(2).passed();
    }

    private static void assertNoAddressOrClass(String text) {
        assertThat(text).doesNotContain("127.0.0.1").doesNotContain(String.valueOf(REFUSED_PORT))
                .doesNotContain("Exception").doesNotContain("java.");
    }

    /** GET status, GET events and POST cancel of {@code id}. */
    private static List<String[]> streamRoutes(String id) {
        return List.of(new String[] {"GET", "/v1/streams/" + id}, new String[] {"GET", "/v1/streams/" + id + "/events"},
                new String[] {"POST", "/v1/streams/" + id + "/cancel"});
    }

    private JsonNode create(String key, String metadata) throws Exception {
        HttpResponse<String> created = send("POST", "/v1/streams", """
                {"model":"mock/echo","messages":[{"role":"user","content":"a few words"}],"max_tokens":16,
                 "metadata":%s}""".formatted(metadata), key);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        return TestJson.parse(created.body());
    }

    /** The signature a gateway with {@link #SECRET} puts on {@code payload}. */
    private static String hmac(String payload) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
