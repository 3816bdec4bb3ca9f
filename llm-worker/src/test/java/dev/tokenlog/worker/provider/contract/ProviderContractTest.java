package dev.tokenlog.worker.provider.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every provider adapter passes, against a real HTTP server replaying that provider's
 * wire format. A subclass supplies the adapter (pointed at the fixture server) and one recorded
 * stream per {@link Scenario}, written from the provider's documented format so that each normalises
 * to the same events asserted here.
 */
public abstract class ProviderContractTest {
    protected static final String API_KEY = "sk-test-SECRET-4242";

    /** The recorded streams a provider supplies. */
    public enum Scenario {
        /** "Hello, world!" in three or more pieces; usage input 12, output 4; finish STOP. */
        TEXT,
        /** reasoning "Let me think." then text "42."; finish STOP. */
        REASONING,
        /** two parallel calls: 0 get_weather {"city":"Paris"} (arguments split over two or more deltas where
         *  the provider streams them), 1 get_time {"tz":"CET"}; finish TOOL_CALLS. */
        TOOL_CALLS,
        /** text "Partial" then the provider's in-band error on the 200 stream. */
        ERROR_AFTER_OUTPUT,
        /** text "Cut" then the stream ends without the provider's terminal marker. */
        TRUNCATED,
        /** "Hello, world!" but the output limit is hit: finish LENGTH. */
        LENGTH
    }

    protected FixtureServer server;
    private final List<Closeable> stopHooks = new CopyOnWriteArrayList<>();

    /** The adapter under test, configured with base URL {@code baseUrl} and {@link #API_KEY}. */
    protected abstract Provider provider(String baseUrl);

    /** The wire body of a scenario. */
    protected abstract String fixture(Scenario scenario);

    /** The bytes served for a scenario: its fixture as UTF-8, unless the wire format is binary. */
    protected byte[] wire(Scenario scenario) {
        return fixture(scenario).getBytes(StandardCharsets.UTF_8);
    }

    /** Content type the provider streams with (text/event-stream, application/x-ndjson, ...). */
    protected abstract String contentType();

    /** An error body in the provider's own shape for an HTTP error status. */
    protected abstract String errorBody(int status, String message);

    /** Provider-specific checks of the request sent (path, auth header, body). */
    protected abstract void assertRequest(FixtureServer.Received request);

    /** Id expected for tool call {@code index} (providers without ids synthesise them). */
    protected String expectedToolCallId(int index) {
        return "call_" + (index + 1);
    }

    /**
     * Requests an adapter makes before giving up on HTTP 401: 1, or 2 for one that renews an expiring
     * credential (an IAM token) and tries once more.
     */
    protected int requestsPerAuthFailure() {
        return 1;
    }

    /** Whether the provider reports usage in the TEXT scenario. */
    protected boolean reportsUsage() {
        return true;
    }

    @BeforeEach
    void startServer() throws IOException {
        server = new FixtureServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void streamsTextInOrderWithUsageAndStop() throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.TEXT)));
        List<ProviderEvent> events = run();
        assertThat(text(events)).isEqualTo("Hello, world!");
        assertThat(events.stream().filter(e -> e instanceof ProviderEvent.Text).count()).isGreaterThanOrEqualTo(3);
        if (reportsUsage()) {
            ProviderEvent.Usage usage = lastOf(events, ProviderEvent.Usage.class);
            assertThat(usage.input()).isEqualTo(12);
            assertThat(usage.output()).isEqualTo(4);
        }
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(ProviderEvent.Finished.class,
                f -> assertThat(f.reason()).isEqualTo(FinishReason.STOP));
        assertThat(server.received()).hasSize(1);
        assertRequest(server.received().get(0));
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 64})
    void sameEventsWhateverTheNetworkSplit(int size) throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.TEXT)));
        List<ProviderEvent> whole = run();
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.TEXT))
                .pieces(FixtureServer.split(wire(Scenario.TEXT), size)));
        assertThat(run()).isEqualTo(whole);
    }

    @Test
    void separatesReasoningFromText() throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.REASONING)));
        List<ProviderEvent> events = run();
        assertThat(events.stream().filter(e -> e instanceof ProviderEvent.Reasoning)
                .map(e -> ((ProviderEvent.Reasoning) e).text()).collect(Collectors.joining())).isEqualTo("Let me think.");
        assertThat(text(events)).isEqualTo("42.");
        int firstReasoning = indexOf(events, ProviderEvent.Reasoning.class);
        assertThat(firstReasoning).isLessThan(indexOf(events, ProviderEvent.Text.class));
    }

    @Test
    void streamsParallelToolCallsWithArgumentsJoined() throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.TOOL_CALLS)));
        List<ProviderEvent> events = run();
        List<ProviderEvent.ToolCallStart> starts = events.stream().filter(e -> e instanceof ProviderEvent.ToolCallStart)
                .map(e -> (ProviderEvent.ToolCallStart) e).toList();
        assertThat(starts).extracting(ProviderEvent.ToolCallStart::name).containsExactly("get_weather", "get_time");
        assertThat(starts).extracting(ProviderEvent.ToolCallStart::id).containsExactly(expectedToolCallId(0), expectedToolCallId(1));
        assertThat(arguments(events, starts.get(0).index())).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(arguments(events, starts.get(1).index())).isEqualTo("{\"tz\":\"CET\"}");
        assertThat(events.stream().filter(e -> e instanceof ProviderEvent.ToolCallEnd).count()).isEqualTo(2);
        assertThat(lastOf(events, ProviderEvent.Finished.class).reason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void lengthLimitFinishesWithLength() throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.LENGTH)));
        assertThat(lastOf(run(), ProviderEvent.Finished.class).reason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void inBandErrorAfterOutputFailsKeepingWhatWasSaid() {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.ERROR_AFTER_OUTPUT)));
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> provider(server.baseUrl()).stream(call(), events::add))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.code()).isNotBlank());
        assertThat(text(events)).isEqualTo("Partial");
        assertThat(events).noneMatch(e -> e instanceof ProviderEvent.Finished);
    }

    @Test
    void streamEndingWithoutTerminalMarkerIsNotFinished() throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.TRUNCATED)));
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        try {
            provider(server.baseUrl()).stream(call(), events::add);
        } catch (ProviderException e) {
            assertThat(e.code()).isIn("TRUNCATED", "PROVIDER_PROTOCOL");
        }
        assertThat(text(events)).isEqualTo("Cut");
        assertThat(events).noneMatch(e -> e instanceof ProviderEvent.Finished);
    }

    @Test
    void rateLimitBeforeOutputIsRetryableWithTheProvidersWait() {
        server.then(FixtureServer.Reply.error(429, Map.of("content-type", "application/json", "retry-after", "2"),
                errorBody(429, "slow down")));
        assertThatThrownBy(() -> run()).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
            assertThat(e.getMessage()).contains("slow down");
        });
    }

    @Test
    void serverErrorBeforeOutputIsRetryable() {
        server.then(FixtureServer.Reply.error(503, Map.of("content-type", "application/json"), errorBody(503, "overloaded")));
        assertThatThrownBy(() -> run()).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void authFailureIsNotRetryableAndNeverShowsTheKey() {
        for (int i = 0; i < requestsPerAuthFailure(); i++) {
            server.then(FixtureServer.Reply.error(401, Map.of("content-type", "application/json"),
                    errorBody(401, "invalid api key " + API_KEY)));
        }
        assertThatThrownBy(() -> run()).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).doesNotContain(API_KEY).contains("401");
        });
        assertThat(server.received()).hasSize(requestsPerAuthFailure());
    }

    @Test
    void htmlInsteadOfAStreamIsAProtocolError() {
        server.then(FixtureServer.Reply.stream("text/html", "<html><body>gateway</body></html>"));
        assertThatThrownBy(() -> run()).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.code()).isEqualTo("PROVIDER_PROTOCOL"));
    }

    @Test
    void stoppingAStalledStreamReturnsWithinASecond() throws Exception {
        server.then(FixtureServer.Reply.stream(contentType(), wire(Scenario.TRUNCATED)).ending(FixtureServer.Ending.STALL));
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        Thread runner = Thread.ofVirtual().start(() -> {
            try {
                provider(server.baseUrl()).stream(call(), events::add);
            } catch (Exception expected) {
                // closed under it: IOException or InterruptedException
            }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        Instant stoppedAt = Instant.now();
        for (Closeable hook : stopHooks) {
            hook.close();
        }
        runner.interrupt();
        assertThat(runner.join(Duration.ofSeconds(1))).as("adapter returned after stop").isTrue();
        assertThat(Duration.between(stoppedAt, Instant.now())).isLessThan(Duration.ofSeconds(1));
    }

    /** Runs the adapter once against the fixture server and returns what it reported. */
    protected List<ProviderEvent> run() throws Exception {
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        provider(server.baseUrl()).stream(call(), events::add);
        return events;
    }

    protected ProviderCall call() {
        LlmRequest request = LlmRequest.newBuilder()
                .setRequestId(RequestIds.newId())
                .setCreatedAt(Instant.now())
                .setRoute(List.of(new RouteTarget("under-test", "test-model")))
                .setMessages(List.of(new Message("system", "Be brief.", null, null, List.of(), List.of()),
                        new Message("user", "Say hello", null, null, List.of(), List.of())))
                .setParams(GenerationParams.newBuilder().setMaxTokens(64).setTemperature(0.5).build())
                .setMetadata(Map.of())
                .build();
        stopHooks.clear();
        return new ProviderCall(request, "test-model", stopHooks::add);
    }

    protected static String text(List<ProviderEvent> events) {
        return events.stream().filter(e -> e instanceof ProviderEvent.Text).map(e -> ((ProviderEvent.Text) e).text())
                .collect(Collectors.joining());
    }

    private static String arguments(List<ProviderEvent> events, int index) {
        return events.stream().filter(e -> e instanceof ProviderEvent.ToolCallArguments a && a.index() == index)
                .map(e -> ((ProviderEvent.ToolCallArguments) e).delta()).collect(Collectors.joining());
    }

    private static <T> T lastOf(List<ProviderEvent> events, Class<T> type) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (type.isInstance(events.get(i))) {
                return type.cast(events.get(i));
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + events);
    }

    private static int indexOf(List<ProviderEvent> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + events);
    }
}
