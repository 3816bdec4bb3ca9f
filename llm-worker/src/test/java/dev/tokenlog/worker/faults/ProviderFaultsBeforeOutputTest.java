package dev.tokenlog.worker.faults;

import static dev.tokenlog.worker.faults.FaultChecks.audit;
import static dev.tokenlog.worker.faults.FaultChecks.request;
import static dev.tokenlog.worker.faults.FaultChecks.started;
import static dev.tokenlog.worker.faults.FaultChecks.text;
import static dev.tokenlog.worker.faults.FaultProfile.BACKUP;
import static dev.tokenlog.worker.faults.FaultProfile.KEY;
import static dev.tokenlog.worker.faults.FaultProfile.MAX_RETRIES;
import static dev.tokenlog.worker.faults.FaultProfile.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.FixtureServer.Ending;
import dev.tokenlog.worker.provider.contract.FixtureServer.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Provider faults before the first output chunk, where the contract allows retries and fallback
 * (ARCHITECTURE.md, guarantee 4): retryable failures (connect errors, 408/429/5xx, first-token
 * timeout) are retried with backoff honouring Retry-After, then the next route target is tried;
 * non-retryable ones (401, a 200 that is not an event stream) end the attempt at once. The whole
 * worker runs against a real HTTP server that injects each fault.
 */
@QuarkusTest
@TestProfile(FaultProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProviderFaultsBeforeOutputTest extends FaultTest {
    private static final String MODEL = "/gpt-test";
    private static final String PATH = "/v1/chat/completions";
    private static final String BACKUP_PATH = "/backup/v1/chat/completions";
    private static final String HELLO = "Hello, world!";
    private static LogCapture logs;

    @BeforeAll
    static void captureLogs() {
        logs = LogCapture.install();
    }

    @AfterAll
    static void releaseLogs() {
        logs.close();
    }

    @Test
    void rateLimitWithRetryAfterIsWaitedOutInTheSameAttempt() {
        Scenario s = Scenario.start(Fault.PROVIDER, "OpenAI 429 with Retry-After, then success",
                "HTTP 429 with Retry-After: 1 before the first byte, then the recorded stream",
                "one attempt, the full text, Completed STOP, Started >= 1 s after sending, 2 calls");
        server.then(Reply.error(429, Map.of("content-type", Wire.JSON, "retry-after", "1"),
                        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_exceeded\"}}"))
                .then(Wire.sse(Wire.fixture("openai-chat", "text.sse")));

        FaultKafka.Sent sent = kafka.send(request(Map.of(), OPENAI + MODEL));
        List<ChunkRecord> out = kafka.outcome(sent);

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Completed.class,
                c -> assertThat(c.getFinishReason()).isEqualTo(FinishReason.STOP));
        assertThat(text(out)).isEqualTo(HELLO);
        assertThat(Duration.between(sent.at(), out.get(0).getProducedAt())).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(server.received()).extracting(FixtureServer.Received::path).containsExactly(PATH, PATH);
        s.passed();
    }

    @Test
    void serverErrorBeforeTheFirstByteFallsBackToTheNextTarget() {
        Scenario s = Scenario.start(Fault.PROVIDER, "OpenAI 500 before the first byte, fallback",
                "HTTP 500 (its body echoing the API key) on every try of the first route target",
                "retried once, then the second target answers: Started routeIndex 1, full text, Completed");
        String echo = "{\"error\":{\"message\":\"internal error for key " + KEY + "\",\"type\":\"server_error\"}}";
        server.then(Wire.error(500, echo)).then(Wire.error(500, echo)).then(Wire.sse(Wire.fixture("openai-chat", "text.sse")));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OPENAI + MODEL, BACKUP + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(started(out).getProvider()).isEqualTo(BACKUP);
        assertThat(started(out).getRouteIndex()).isEqualTo(1);
        assertThat(text(out)).isEqualTo(HELLO);
        assertThat(server.received()).extracting(FixtureServer.Received::path).containsExactly(PATH, PATH, BACKUP_PATH);
        assertThat(logs.lines()).as("the retry is logged, the key is not")
                .anyMatch(l -> l.contains("HTTP 500 from " + OPENAI)).noneMatch(l -> l.contains(KEY));
        s.passed();
    }

    @Test
    void unavailableBeforeTheFirstByteFallsBackToTheNextTarget() {
        Scenario s = Scenario.start(Fault.PROVIDER, "OpenAI 503 before the first byte, fallback",
                "HTTP 503 with a load balancer's HTML page on every try of the first route target",
                "retried once, then the second target answers: Started routeIndex 1, full text, Completed");
        Reply unavailable = Reply.error(503, Map.of("content-type", "text/html"),
                "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
        server.then(unavailable).then(unavailable).then(Wire.sse(Wire.fixture("openai-chat", "text.sse")));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OPENAI + MODEL, BACKUP + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(started(out).getRouteIndex()).isEqualTo(1);
        assertThat(text(out)).isEqualTo(HELLO);
        assertThat(server.received()).extracting(FixtureServer.Received::path).containsExactly(PATH, PATH, BACKUP_PATH);
        s.passed();
    }

    @Test
    void refusedConnectionEndsFailedWithAConnectError() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Connection refused",
                "the only route target's base URL is a closed port",
                "Failed CONNECT_ERROR, retryable, not partial, naming the entry but not its host:port; no output");

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), FaultProfile.REFUSED + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("CONNECT_ERROR");
            assertThat(f.getRetryable()).isTrue();
            assertThat(f.getPartial()).isFalse();
            assertThat(f.getMessage()).startsWith("cannot connect to " + FaultProfile.REFUSED + " ")
                    .doesNotContain("127.0.0.1").doesNotContain("Exception"); // the address is in the log only
        });
        assertThat(out).hasSize(2);
        s.passed();
    }

    @Test
    void firstTokenSlowerThanItsTimeoutEndsFailedAfterTheRetry() {
        Scenario s = Scenario.start(Fault.PROVIDER, "First token slower than its timeout",
                "HTTP 200, a keep-alive comment, then the text only after 3 s; request metadata timeout.first-token-ms=400",
                "each try stopped at the first-token timeout, retried once, then Failed FIRST_TOKEN_TIMEOUT, not partial");
        Reply slow = Wire.sse(": keep-alive\n\n", Wire.fixture("openai-chat", "text.sse")).pausing(Duration.ofSeconds(3));
        server.then(slow).then(slow);

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of("timeout.first-token-ms", "400"), OPENAI + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("FIRST_TOKEN_TIMEOUT");
            assertThat(f.getRetryable()).isTrue();
            assertThat(f.getPartial()).isFalse();
            assertThat(f.getMessage()).contains("within PT0.4S");
        });
        assertThat(out).hasSize(2);
        assertThat(server.received()).hasSize(1 + MAX_RETRIES);
        s.passed();
    }

    @Test
    void connectionResetBeforeAnyOutputIsRetriedInTheSameAttempt() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Connection reset before any output",
                "HTTP 200 and the role-only first chunk, then the connection breaks; the retry gets the full stream",
                "no output was published, so the retry is silent: one attempt, full text once, Completed");
        server.then(Wire.sse(Wire.first(1, Wire.fixture("openai-chat", "text.sse"))).ending(Ending.RESET))
                .then(Wire.sse(Wire.fixture("openai-chat", "text.sse")));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OPENAI + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(text(out)).isEqualTo(HELLO);
        assertThat(server.received()).hasSize(2);
        s.passed();
    }

    @Test
    void htmlPageWithStatus200EndsFailedAsAProtocolError() {
        Scenario s = Scenario.start(Fault.PROVIDER, "HTTP 200 with an HTML body",
                "HTTP 200, content-type text/html, a captive-portal page instead of an event stream",
                "Failed PROVIDER_PROTOCOL naming the content type, not retryable, not partial, one call");
        server.then(new Reply(200, Map.of("content-type", "text/html; charset=utf-8"),
                Wire.utf8("<!DOCTYPE html><html><body>Please sign in to the network</body></html>"),
                Duration.ZERO, Ending.CLOSE));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OPENAI + MODEL, BACKUP + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("PROVIDER_PROTOCOL");
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getPartial()).isFalse();
            assertThat(f.getMessage()).contains("HTTP 200").contains("text/html");
        });
        assertThat(server.received()).extracting(FixtureServer.Received::path).containsExactly(PATH);
        s.passed();
    }

    @Test
    void unauthorizedEndsFailedAtOnceWithoutTheKey() {
        Scenario s = Scenario.start(Fault.PROVIDER, "HTTP 401, the key echoed in the body",
                "HTTP 401 whose error message quotes the API key sent",
                "Failed PROVIDER_AUTH, not retryable, no retry and no fallback (one call), the key in no chunk");
        server.then(Wire.error(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));

        List<ChunkRecord> out = kafka.outcome(kafka.send(request(Map.of(), OPENAI + MODEL, BACKUP + MODEL)));

        assertThat(audit(s.sent(1), out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("PROVIDER_AUTH");
            assertThat(f.getRetryable()).isFalse();
            assertThat(f.getPartial()).isFalse();
            assertThat(f.getMessage()).contains("HTTP 401").contains("Incorrect API key provided: ***");
        });
        assertThat(server.received()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo(PATH);
            assertThat(r.headers().get("Authorization")).containsExactly("Bearer " + KEY);
        });
        s.passed();
    }

    @Test
    void unansweredConnectFallsBackWithinTheConnectTimeout() {
        Scenario s = Scenario.start(Fault.PROVIDER, "Connect never answered (connect timeout), fallback",
                "the first route target's host drops SYNs; its entry's connect timeout is "
                        + FaultProfile.UNANSWERED_CONNECT_TIMEOUT,
                "both tries give up at the connect timeout, the second target answers: full text, Started 1-10 s after sending");

        server.then(Wire.sse(Wire.fixture("openai-chat", "text.sse")));
        FaultKafka.Sent sent = kafka.send(request(Map.of(), FaultProfile.UNANSWERED + MODEL, BACKUP + MODEL));
        List<ChunkRecord> out = kafka.outcome(sent);

        assertThat(audit(s.sent(1), out)).isInstanceOf(Completed.class);
        assertThat(started(out).getRouteIndex()).isEqualTo(1);
        assertThat(text(out)).isEqualTo(HELLO);
        Duration waited = Duration.between(sent.at(), out.get(0).getProducedAt());
        assertThat(waited).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        s.note("Started after " + waited.toMillis() + " ms (two connect timeouts of " + FaultProfile.UNANSWERED_CONNECT_TIMEOUT + ")");
        assertThat(server.received()).extracting(FixtureServer.Received::path).containsExactly(BACKUP_PATH);
        s.passed();
    }

    /** Runs last: none of the faults above took the worker down or put the key in a log line. */
    @Test
    @Order(Integer.MAX_VALUE)
    void workerStaysReadyAndNoLogLineNamesTheKey() throws Exception {
        FaultChecks.assertReady(readiness);
        assertThat(logs.lines()).noneMatch(l -> l.contains(KEY));
    }
}
