package dev.tokenlog.worker.provider.watsonx;

import static dev.tokenlog.worker.provider.contract.ProviderContractTest.Scenario;
import static dev.tokenlog.worker.provider.contract.TestCalls.header;
import static dev.tokenlog.worker.provider.watsonx.WatsonxContractTest.IAM_PATH;
import static dev.tokenlog.worker.provider.watsonx.WatsonxContractTest.settings;
import static dev.tokenlog.worker.provider.watsonx.WatsonxContractTest.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IAM token: fetched once and shared, renewed before expiry and after a 401, never leaking the api-key. */
class WatsonxTokensTest {
    private static final String KEY = "sk-test-SECRET-4242"; // the contract's API_KEY, which settings() configures

    private FixtureServer server;
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void start() throws Exception {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void oneTokenServesConsecutiveCalls() throws Exception {
        server.route(IAM_PATH, token("token-A", 3600));
        WatsonxProvider provider = provider();
        stream(provider);
        stream(provider);
        assertThat(server.routed()).hasSize(1);
        assertThat(server.received()).extracting(r -> header(r, "authorization")).containsExactly("Bearer token-A", "Bearer token-A");
    }

    @Test
    void theTokenIsRenewedOnceFourFifthsOfItsLifetimeHavePassed() throws Exception {
        server.route(IAM_PATH, token("token-A", 3600)).route(IAM_PATH, token("token-B", 3600));
        WatsonxProvider provider = provider();
        stream(provider);
        clock.advance(Duration.ofSeconds(2879));
        stream(provider);
        clock.advance(Duration.ofSeconds(2));
        stream(provider);
        assertThat(server.routed()).hasSize(2);
        assertThat(server.received()).extracting(r -> header(r, "authorization"))
                .containsExactly("Bearer token-A", "Bearer token-A", "Bearer token-B");
    }

    @Test
    void a401RenewsTheTokenAndSendsTheCallOnceMore() throws Exception {
        server.route(IAM_PATH, token("token-A", 3600)).route(IAM_PATH, token("token-B", 3600));
        server.then(FixtureServer.Reply.error(401, Map.of("content-type", "application/json"),
                "{\"errors\":[{\"code\":\"authentication_token_expired\",\"message\":\"Failed to authenticate the request due to an expired token\"}],\"status_code\":401}"));
        WatsonxProvider provider = provider();
        stream(provider);
        stream(provider);
        assertThat(server.routed()).hasSize(2);
        assertThat(server.received()).extracting(r -> header(r, "authorization"))
                .containsExactly("Bearer token-A", "Bearer token-B", "Bearer token-B");
    }

    @Test
    void concurrentCallsShareOneTokenFetch() throws Exception {
        FixtureServer.Reply slowIam = token("token-A", 3600);
        String body = new String(slowIam.pieces().get(0), java.nio.charset.StandardCharsets.UTF_8);
        server.route(IAM_PATH, slowIam.pieces(FixtureServer.split(body, 40)).pausing(Duration.ofMillis(40)));
        WatsonxProvider provider = provider();
        int calls = 8;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            server.then(text());
            tasks.add(() -> {
                provider.stream(TestCalls.simple(), event -> { });
                return null;
            });
        }
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Void> done : executor.invokeAll(tasks)) {
                done.get();
            }
        }
        assertThat(server.routed()).hasSize(1);
        assertThat(server.received()).hasSize(calls).allMatch(r -> "Bearer token-A".equals(header(r, "authorization")));
    }

    @Test
    void aRefusedApiKeyIsAnAuthErrorThatNeverShowsTheKey() {
        server.route(IAM_PATH, FixtureServer.Reply.error(400, Map.of("content-type", "application/json"),
                "{\"errorCode\":\"BXNIM0415E\",\"errorMessage\":\"Provided API key could not be found: " + KEY + "\"}"));
        assertThatThrownBy(() -> stream(provider())).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.code()).isEqualTo("PROVIDER_AUTH");
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("BXNIM0415E").contains("api-key").doesNotContain(KEY);
        });
        assertThat(server.received()).as("no chat call without a token").isEmpty();
    }

    @Test
    void anUnavailableIamIsRetryable() {
        server.route(IAM_PATH, FixtureServer.Reply.error(503, Map.of("content-type", "text/plain"), "try later"));
        assertThatThrownBy(() -> stream(provider())).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("IAM").doesNotContain(KEY);
        });
    }

    @Test
    void theKeyNeverAppearsInAStreamError() {
        server.route(IAM_PATH, token("token-A", 3600));
        server.then(FixtureServer.Reply.error(400, Map.of("content-type", "application/json"),
                "{\"errors\":[{\"code\":\"invalid_input\",\"message\":\"bad request from key " + KEY + "\"}],\"status_code\":400}"));
        assertThatThrownBy(() -> stream(provider())).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.code()).isEqualTo("PROVIDER_BAD_REQUEST");
            assertThat(e.getMessage()).contains("bad request from key").doesNotContain(KEY);
        });
    }

    private WatsonxProvider provider() {
        return new WatsonxProvider(settings(server.baseUrl(), Map.of()), clock);
    }

    private void stream(WatsonxProvider provider) throws Exception {
        server.then(text());
        provider.stream(TestCalls.simple(), event -> { });
    }

    private static FixtureServer.Reply text() {
        return FixtureServer.Reply.stream("text/event-stream",
                TestCalls.resource("/fixtures/watsonx/" + Scenario.TEXT.name().toLowerCase() + ".sse"));
    }

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
