package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.fanout.config.GatewayConfig;
import dev.tokenlog.fanout.sse.LiveTail;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many subscribers of one stream through the instance's shared live tail: those that join before
 * the first chunk, mid-stream (history, then handed over to the tail) and after the end all get the
 * same events, with the same ids, and the text of the final answer. Those that join a stream this
 * young take its history from the tail's recent window: none reads the log.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class FanOutTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int EARLY = 50;
    private static final int MID_STREAM = 50;
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;
    @Inject
    LiveTail tail;
    @Inject
    GatewayConfig config;
    @Inject
    MeterRegistry registry;

    @Test
    void subscribersJoiningBeforeDuringAndAfterTheStreamGetIdenticalEvents() throws Exception {
        GatewayApi api = new GatewayApi(base);
        // A stream that begins a clock skew after the tail started is one the tail sees from its start.
        await().atMost(WAIT).until(() -> tail.startedAt() != null
                && tail.startedAt().plus(config.clockSkew()).isBefore(Instant.now()));
        double logReads = historyReads("log");
        double windowReads = historyReads("recent-window");
        JsonNode created = api.createMock("mock/lorem", "fan out", 60, "30"); // about 2 s of output
        String events = api.url(created.get("events").asText());
        List<Future<SseClient.Result>> subscribers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < EARLY; i++) {
                subscribers.add(pool.submit(() -> SseClient.read(events, null, WAIT)));
            }
            String id = created.get("id").asText();
            await().atMost(WAIT).until(() -> api.stream(id).path("status").asText().equals("RUNNING"));
            for (int i = 0; i < MID_STREAM; i++) {
                subscribers.add(pool.submit(() -> SseClient.read(events, null, WAIT)));
            }
            JsonNode answer = api.awaitStatus(id, "COMPLETED", WAIT);
            for (Future<SseClient.Result> subscriber : subscribers) {
                subscriber.get();
            }
            assertThat(historyReads("log")).as("subscribers of a young stream that read the log").isEqualTo(logReads);
            assertThat(historyReads("recent-window") - windowReads).as("histories copied from the tail's window")
                    .isGreaterThanOrEqualTo(MID_STREAM);
            subscribers.add(pool.submit(() -> SseClient.read(events, null, WAIT)));

            List<SseClient.Event> reference = null;
            for (Future<SseClient.Result> subscriber : subscribers) {
                SseClient.Result result = subscriber.get();
                assertThat(result.status()).isEqualTo(200);
                assertThat(result.text()).isEqualTo(answer.get("text").asText());
                if (reference == null) {
                    reference = result.events();
                    assertThat(reference).extracting(SseClient.Event::event).first().isEqualTo("start");
                    assertThat(reference).extracting(SseClient.Event::event).last().isEqualTo("done");
                } else {
                    assertThat(result.events()).as("the same events with the same ids").isEqualTo(reference);
                }
            }
            assertThat(reference.stream().filter(e -> e.event().equals("delta")).count())
                    .isEqualTo(answer.get("text").asText().split(" ").length);
        }
    }

    private double historyReads(String source) {
        return registry.get("tokenlog.gateway.sse.history.reads").tag("source", source).counter().count();
    }
}
