package dev.tokenlog.worker.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Errors Bedrock answers before the stream, as it sends them: the type in {@code x-amzn-ErrorType}
 * (with Bedrock's namespace suffix), the body {@code {"message":"…"}}. Pins BedrockErrors' table.
 */
class BedrockErrorsTest {
    private static final String KEY = "bedrock-api-key-SECRET-77";

    private FixtureServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest(name = "HTTP {0} {1} -> {2}")
    @CsvSource({
            "429, ThrottlingException, RATE_LIMITED, true",
            "503, ServiceUnavailableException, PROVIDER_UNAVAILABLE, true",
            "500, InternalServerException, PROVIDER_UNAVAILABLE, true",
            "408, ModelTimeoutException, PROVIDER_TIMEOUT, true",
            "429, ModelNotReadyException, PROVIDER_UNAVAILABLE, true",
            "400, ValidationException, PROVIDER_BAD_REQUEST, false",
            "400, ServiceQuotaExceededException, PROVIDER_BAD_REQUEST, false",
            "403, AccessDeniedException, PROVIDER_AUTH, false",
            "403, UnrecognizedClientException, PROVIDER_AUTH, false",
            "404, ResourceNotFoundException, MODEL_NOT_FOUND, false",
            "424, ModelErrorException, PROVIDER_ERROR, false",
            "502, SomeFutureException, PROVIDER_UNAVAILABLE, true",
            "418, SomeFutureException, PROVIDER_ERROR, false"})
    void mapsTheErrorTypeToCodeAndRetryability(int status, String type, String code, boolean retryable) {
        server.then(error(status, type, "the " + type + " message"));
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), event -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
                    assertThat(e.retryable()).isEqualTo(retryable);
                    assertThat(e.getMessage()).contains("the " + type + " message").contains(type);
                });
    }

    @Test
    void throttlingKeepsTheRetryAfterTheServerAskedFor() {
        server.then(FixtureServer.Reply.error(429, Map.of("content-type", "application/json",
                "x-amzn-ErrorType", "ThrottlingException", "retry-after", "3"), "{\"message\":\"Too many requests\"}"));
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), event -> { }))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
    }

    @Test
    void theSdkDoesNotRetryOnItsOwn() {
        server.then(error(503, "ServiceUnavailableException", "busy"))
                .then(error(503, "ServiceUnavailableException", "still busy"));
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), event -> { }))
                .isInstanceOf(ProviderException.class);
        assertThat(server.received()).as("one attempt: retries are the runner's job").hasSize(1);
    }

    @Test
    void theApiKeyNeverAppearsInAnError() {
        server.then(error(403, "AccessDeniedException", "key " + KEY + " is not allowed"));
        assertThatThrownBy(() -> provider().stream(TestCalls.simple(), event -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("PROVIDER_AUTH");
                    assertThat(e.getMessage()).doesNotContain(KEY).contains("***");
                });
    }

    @Test
    void anUnreachableEndpointIsARetryableConnectError() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Provider provider = new BedrockProvider(BedrockContractTest.settings("http://127.0.0.1:" + port,
                Optional.of(KEY), Map.of()));
        assertThatThrownBy(() -> provider.stream(TestCalls.simple(), event -> { }))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("CONNECT_ERROR");
                    assertThat(e.retryable()).isTrue();
                });
    }

    private Provider provider() {
        return new BedrockProvider(BedrockContractTest.settings(server.baseUrl(), Optional.of(KEY), Map.of()));
    }

    /** Bedrock appends its model namespace to the type header; the SDK reads the part before the colon. */
    private static FixtureServer.Reply error(int status, String type, String message) {
        return FixtureServer.Reply.error(status, Map.of("content-type", "application/json",
                "x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/",
                "x-amzn-RequestId", "8f2c6d0e-0000-4000-8000-000000000000"), "{\"message\":\"" + message + "\"}");
    }
}
