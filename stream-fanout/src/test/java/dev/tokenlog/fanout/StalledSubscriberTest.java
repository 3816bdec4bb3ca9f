package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.fanout.sse.LiveTail;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A live subscriber that stops reading while its stream runs, with a subscriber buffer larger than the
 * stream (so it never overflows): the event loop stops writing once the connection's write queue is
 * full and cuts the connection off after the write timeout; its subscription is released, and resuming
 * after the last event it received gives exactly the rest.
 */
@QuarkusTest
@TestProfile(StalledSubscriberTest.LargeBuffer.class)
class StalledSubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int TOKENS = 4000;
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    public static final class LargeBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenlog.gateway.subscriber-buffer", "20000", "tokenlog.gateway.write-timeout", "2s",
                    "tokenlog.test.http-send-buffer", "4096"); // else loopback's kernel buffers take the whole stream
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TokenlogTestResource.class));
        }
    }

    @TestHTTPResource("/")
    String base;
    @Inject
    LiveTail tail;

    @Test
    void aLiveSubscriberThatStopsReadingIsCutOffAfterTheWriteTimeoutAndResumesExactly() throws Exception {
        GatewayApi api = new GatewayApi(base);
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = capture(logged);
        Logger log = Logger.getLogger("dev.tokenlog.fanout.sse.LiveWriter");
        log.addHandler(capture);
        try {
            JsonNode created = api.createMock("mock/lorem", "stalled reader", TOKENS, "1000"); // about 4 s
            String id = created.get("id").asText();
            String path = created.get("events").asText();
            URI uri = URI.create(api.url(path));
            String received;
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(1024);
                socket.setSoTimeout(5_000);
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
                socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
                        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                await().atMost(WAIT).until(() -> logged.stream().anyMatch(m -> m.contains("cut off")));
                received = SlowSubscriberTest.readUntilClosed(socket.getInputStream());
            }
            await().atMost(WAIT).until(() -> tail.subscriptions() == 0);
            assertThat(received).as("cut off by the write timeout, not for falling behind")
                    .doesNotContain("too far behind").doesNotContain("event: done");

            List<SseClient.Event> first = SlowSubscriberTest.completeEvents(received);
            assertThat(first).as("some events arrived before the cut").isNotEmpty();
            SseClient.Result rest = SseClient.read(api.url(path), first.get(first.size() - 1).id(), WAIT);
            assertThat(rest.events()).extracting(SseClient.Event::event).last().isEqualTo("done");
            List<SseClient.Event> resumed = SlowSubscriberTest.concat(first, rest.events());

            Set<String> ids = new HashSet<>();
            StringBuilder text = new StringBuilder();
            for (SseClient.Event e : resumed) {
                if (e.id() != null) {
                    assertThat(ids.add(e.id())).as("event %s once", e.id()).isTrue();
                }
                if (e.event().equals("delta")) {
                    text.append(TestJson.field(e.data(), "text"));
                }
            }
            assertThat(text.toString()).isEqualTo(api.awaitStatus(id, "COMPLETED", WAIT).get("text").asText());
            assertThat(resumed).as("the same events as one reader of the whole stream")
                    .isEqualTo(SseClient.read(api.url(path), null, WAIT).events());
        } finally {
            log.removeHandler(capture);
        }
    }

    private static Handler capture(List<String> into) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                into.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }
}
