package dev.tokenlog.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole worker (consumer, runner, adapter, chunk publisher) against a real HTTP server speaking
 * OpenAI's documented wire format, configured exactly as a user would: a provider entry whose
 * base URL points at the server. Real broker and registry.
 */
@QuarkusTest
@TestProfile(HttpProviderIntegrationTest.FixtureProvider.class)
class HttpProviderIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SSE = "text/event-stream";
    private static ChunkLog chunks;
    private static RequestSender sender;

    /** Marks the field that receives the fixture server the worker's "fixture" entry points at. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Fixture {}

    /** A provider entry "fixture" of type openai at a fixture server. */
    public static final class FixtureProvider implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FixtureResource.class));
        }
    }

    /** The shared broker and registry plus the fixture server, injected into the test. */
    public static final class FixtureResource extends TokenlogTestResource {
        private FixtureServer server;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            try {
                server = new FixtureServer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            config.put("tokenlog.providers.fixture.type", "openai");
            config.put("tokenlog.providers.fixture.base-url", server.baseUrl() + "/v1");
            config.put("tokenlog.providers.fixture.api-key", "sk-fixture-SECRET");
            config.put("tokenlog.providers.fixture.max-retries", "1");
            config.put("tokenlog.providers.fixture.retry-backoff", "10ms");
            return config;
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(Fixture.class, FixtureServer.class));
        }

        @Override
        public void stop() {
            server.close();
            super.stop();
        }
    }

    @Fixture
    FixtureServer server;

    @BeforeAll
    static void clients() {
        chunks = new ChunkLog();
        sender = new RequestSender();
    }

    @AfterAll
    static void close() {
        chunks.close();
        sender.close();
    }

    @Test
    void streamsTextUsageAndFinishFromAnOpenAiCompatibleServer() {
        server.then(FixtureServer.Reply.stream(SSE, fixture("text")));

        List<ChunkRecord> out = chunks.untilTerminal(sender.send(request(Map.of())), WAIT);

        assertThat(out.get(0).getEvent()).isInstanceOfSatisfying(Started.class,
                s -> assertThat(s.getProvider()).isEqualTo("fixture"));
        assertThat(text(out)).isEqualTo("Hello, world!");
        assertThat(out).anySatisfy(c -> assertThat(c.getEvent()).isInstanceOfSatisfying(Usage.class, u -> {
            assertThat(u.getInput()).isEqualTo(12);
            assertThat(u.getOutput()).isEqualTo(4);
        }));
        assertThat(terminal(out)).isInstanceOfSatisfying(Completed.class,
                c -> assertThat(c.getFinishReason()).isEqualTo(FinishReason.STOP));
        assertThat(server.received().get(server.received().size() - 1).headers().get("Authorization"))
                .containsExactly("Bearer sk-fixture-SECRET");
    }

    @Test
    void publishesToolCallsAsStartArgumentsAndEnd() {
        server.then(FixtureServer.Reply.stream(SSE, fixture("tool_calls")));

        List<ChunkRecord> out = chunks.untilTerminal(sender.send(request(Map.of())), WAIT);

        assertThat(out.stream().filter(c -> c.getEvent() instanceof ToolCallStarted)
                .map(c -> ((ToolCallStarted) c.getEvent()).getName())).containsExactly("get_weather", "get_time");
        assertThat(out.stream().filter(c -> c.getEvent() instanceof ToolCallDelta d && d.getIndex() == 0)
                .map(c -> ((ToolCallDelta) c.getEvent()).getArgumentsDelta()).collect(Collectors.joining()))
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(out.stream().filter(c -> c.getEvent() instanceof ToolCallFinished)).hasSize(2);
        assertThat(terminal(out)).isInstanceOfSatisfying(Completed.class,
                c -> assertThat(c.getFinishReason()).isEqualTo(FinishReason.TOOL_CALLS));
    }

    @Test
    void waitsWhatRetryAfterSaysThenSucceedsInTheSameAttempt() {
        server.then(FixtureServer.Reply.error(429, Map.of("content-type", "application/json", "retry-after", "1"),
                        "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit\"}}"))
                .then(FixtureServer.Reply.stream(SSE, fixture("text")));
        Instant sent = Instant.now();

        List<ChunkRecord> out = chunks.untilTerminal(sender.send(request(Map.of())), WAIT);

        assertThat(text(out)).isEqualTo("Hello, world!");
        assertThat(out).extracting(ChunkRecord::getAttemptId).containsOnly(out.get(0).getAttemptId());
        assertThat(Duration.between(sent, out.get(0).getProducedAt())).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void fallsBackToTheNextTargetAfterRetriesOfServerErrors() {
        server.then(FixtureServer.Reply.error(503, Map.of("content-type", "application/json"), "{\"error\":{\"message\":\"down\"}}"))
                .then(FixtureServer.Reply.error(503, Map.of("content-type", "application/json"), "{\"error\":{\"message\":\"down\"}}"));
        LlmRequest request = request(Map.of("mock.tps", "0", "mock.ttft-ms", "0"));
        request.setRoute(List.of(new RouteTarget("fixture", "gpt-test"), new RouteTarget("mock", "echo")));

        List<ChunkRecord> out = chunks.untilTerminal(sender.send(request), WAIT);

        assertThat(out.get(0).getEvent()).isInstanceOfSatisfying(Started.class,
                s -> assertThat(s.getRouteIndex()).isEqualTo(1));
        assertThat(text(out)).isEqualTo("Say hello");
        assertThat(terminal(out)).isInstanceOf(Completed.class);
    }

    @Test
    void stallAfterOutputEndsFailedIdleTimeoutKeepingThePartialText() {
        server.then(FixtureServer.Reply.stream(SSE, fixture("truncated")).ending(FixtureServer.Ending.STALL));

        List<ChunkRecord> out = chunks.untilTerminal(sender.send(request(Map.of("timeout.idle-ms", "500"))), WAIT);

        assertThat(text(out)).isEqualTo("Cut");
        assertThat(terminal(out)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo("IDLE_TIMEOUT");
            assertThat(f.getPartial()).isTrue();
        });
    }

    @Test
    void cancelClosesTheProviderStreamWithinASecond() {
        server.then(FixtureServer.Reply.stream(SSE, fixture("truncated")).ending(FixtureServer.Ending.STALL));
        String id = sender.send(request(Map.of()));
        chunks.untilFirst(id, TextDelta.class, WAIT);

        Instant cancelled = Instant.now();
        sender.sendValue("llm.control", id, new ControlCommand(id, ControlType.CANCEL, "stop", cancelled, null));
        List<ChunkRecord> out = chunks.untilTerminal(id, WAIT);

        assertThat(terminal(out)).isInstanceOf(Cancelled.class);
        assertThat(Duration.between(cancelled, out.get(out.size() - 1).getProducedAt())).isLessThan(Duration.ofSeconds(1));
    }

    private static LlmRequest request(Map<String, String> metadata) {
        LlmRequest request = WorkerStreamsRequestsTest.request("fixture", "gpt-test", "Say hello", metadata);
        return request;
    }

    private static String fixture(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/fixtures/openai-chat/" + name + ".sse"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object terminal(List<ChunkRecord> out) {
        return out.get(out.size() - 1).getEvent();
    }

    private static String text(List<ChunkRecord> out) {
        return out.stream().filter(c -> c.getEvent() instanceof TextDelta)
                .map(c -> ((TextDelta) c.getEvent()).getText()).collect(Collectors.joining());
    }
}
