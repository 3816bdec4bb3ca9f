package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading is cut off after the write timeout, and the gateway holds no more
 * than its bounded buffer for it meanwhile; resuming after the last event it did receive gives
 * exactly the rest, and another reader of the same stream meanwhile gets all of it. The slow reader is a raw socket with a tiny receive buffer that reads nothing
 * until the stream is over.
 */
@QuarkusTest
@TestProfile(SlowSubscriberTest.SmallBuffers.class)
class SlowSubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    public static final class SmallBuffers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tokenlog.gateway.subscriber-buffer", "8", "tokenlog.gateway.write-timeout", "2s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TokenlogTestResource.class));
        }
    }

    @TestHTTPResource("/")
    String base;

    @Test
    void aSubscriberThatStopsReadingIsCutOffAndResumesExactly() throws Exception {
        Scenario s = Scenario.start(Fault.CLIENT, "A reader that never reads",
                "an SSE subscriber with a 1 KiB receive buffer that reads nothing during a 4,000-token stream",
                "it is cut off (no done), a normal reader of the same stream gets it all, and resuming after the last"
                        + " event received gives exactly the rest");
        GatewayApi api = new GatewayApi(base);
        try (WorkerProcess worker = WorkerProcess.start()) {
            JsonNode created = api.createMock("mock/lorem", "slow reader", 4000, "0");
            String id = created.get("id").asText();
            String path = created.get("events").asText();
            URI uri = URI.create(api.url(path));
            String received;
            List<SseClient.Event> all;
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(1024);
                socket.setSoTimeout(5_000); // ends the reading if the gateway ends the response without closing
                socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()));
                socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
                        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                JsonNode answer = api.awaitStatus(id, "COMPLETED", WAIT); // read nothing meanwhile
                assertThat(answer.get("text").asText().split(" ")).hasSize(4000);
                // Another subscriber meanwhile, while the stuck one is still connected. (Live readers of this
                // burst would overflow this profile's 8-chunk buffers, so it reads once the stream has ended.)
                all = SseClient.read(api.url(path), null, WAIT).events();
                received = readUntilClosed(socket.getInputStream());
            }
            assertThat(received).as("cut off before the end").doesNotContain("event: done");

            List<SseClient.Event> first = completeEvents(received);
            assertThat(first).as("some events arrived before the cut").isNotEmpty();
            String lastId = first.get(first.size() - 1).id();
            SseClient.Result rest = SseClient.read(api.url(path), lastId, WAIT);
            assertThat(rest.events()).extracting(SseClient.Event::event).last().isEqualTo("done");

            Set<String> ids = new HashSet<>();
            StringBuilder text = new StringBuilder();
            for (SseClient.Event e : concat(first, rest.events())) {
                if (e.id() != null) {
                    assertThat(ids.add(e.id())).as("event %s once", e.id()).isTrue();
                }
                if (e.event().equals("delta")) {
                    text.append(TestJson.field(e.data(), "text"));
                }
            }
            assertThat(text.toString()).isEqualTo(api.stream(id).get("text").asText());

            assertThat(all).as("the other reader, unaffected").isEqualTo(concat(first, rest.events()));
            s.sent(1).answered(1).audit(all.stream().map(SseClient.Event::id).toList(),
                    concat(first, rest.events()).stream().map(SseClient.Event::id).toList());
            s.note("cut off after " + first.size() + " of " + all.size() + " events");
            assertThat(s.duplicateCount()).isZero();
            assertThat(s.gapCount()).isZero();
            s.passed();
        }
    }

    /** Everything the server sent before it closed the connection (a reset ends the reading too). */
    static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException closed) {
            // cut off by the gateway
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The complete events in a raw HTTP/1.1 chunked SSE response (chunk-size lines are not SSE lines). */
    static List<SseClient.Event> completeEvents(String raw) {
        String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
        List<SseClient.Event> events = new ArrayList<>();
        String[] blocks = body.replace("\r\n", "\n").split("\n\n");
        for (int i = 0; i < blocks.length - 1; i++) { // the last block may be cut
            String id = null;
            String event = null;
            String data = null;
            for (String line : blocks[i].split("\n")) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (event != null && data != null) {
                events.add(new SseClient.Event(id, event, data));
            }
        }
        return events;
    }

    static List<SseClient.Event> concat(List<SseClient.Event> a, List<SseClient.Event> b) {
        List<SseClient.Event> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
