package dev.tokenlog.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.fanout.GatewayApi;
import dev.tokenlog.fanout.SseClient;
import dev.tokenlog.fanout.WorkerJvm;
import dev.tokenlog.fanout.sse.EventsRoute;
import dev.tokenlog.fanout.sse.LiveTail;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Disconnect storms: hundreds of SSE subscribers of running streams reset their connections
 * mid-stream (a TCP RST, as a crashed client or a dropped network would), round after round. Every
 * subscription must be released (the live tail's count and its gauge back to zero), the gateway
 * must log no failure and stay ready, and a fresh subscriber still gets every stream in full.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class DisconnectStormTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ROUNDS = 3;
    private static final int SUBSCRIBERS = 300;
    private static final int STREAMS_PER_ROUND = 3;
    private static final Pattern GAUGE = Pattern.compile("(?m)^tokenlog_gateway_sse_subscribers(?:\\{[^}]*})? (\\S+)$");
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;

    @Inject
    LiveTail tail;

    @Test
    void subscribersDroppingMidStreamAreReleasedAndOthersStillGetTheWholeStream() throws Exception {
        Scenario s = Scenario.start(Fault.CLIENT, "Disconnect storms",
                ROUNDS + " rounds of " + SUBSCRIBERS + " SSE subscribers resetting their TCP connection mid-stream",
                "subscriptions released (tail count and gauge 0), no gateway error logged, ready, fresh subscribers"
                        + " get every stream in full");
        GatewayApi api = new GatewayApi(base);
        List<String> errors = new CopyOnWriteArrayList<>();
        Handler capture = errorCapture(errors);
        Logger.getLogger(EventsRoute.class.getName()).addHandler(capture);
        List<String> streams = new ArrayList<>();
        int midStream = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<String> running = new ArrayList<>();
                for (int i = 0; i < STREAMS_PER_ROUND; i++) {
                    running.add(api.createMock("mock/lorem", "storm " + round, 300, "60").get("id").asText());
                }
                streams.addAll(running);
                midStream += storm(api, running);
                await().atMost(WAIT).until(() -> tail.subscriptions() == 0);
                await().atMost(WAIT).until(() -> gauge(api) == 0);
            }
        } finally {
            Logger.getLogger(EventsRoute.class.getName()).removeHandler(capture);
        }
        s.sent(streams.size());
        assertThat(midStream).as("subscribers dropped after some deltas and before the end").isPositive();
        assertThat(errors).as("errors logged while serving events").isEmpty();

        String live = api.createMock("mock/lorem", "after the storm", 200, "100").get("id").asText();
        streams.add(live);
        s.sent(1);
        for (String id : streams) {
            SseClient.Result fresh = SseClient.read(api.url("/v1/streams/" + id + "/events"), null, WAIT);
            assertThat(fresh.events()).extracting(SseClient.Event::event).last().isEqualTo("done");
            assertThat(fresh.text()).isEqualTo(api.awaitStatus(id, "COMPLETED", WAIT).get("text").asText());
            s.checked(fresh.events().size()).answered(1);
        }
        api.awaitReady(WAIT);
        s.note(ROUNDS * SUBSCRIBERS + " abrupt disconnects, " + midStream + " of them after a delta and before done");
        s.passed();
    }

    /** Connects {@link #SUBSCRIBERS} subscribers over about a second, each resetting after a few deltas. */
    private static int storm(GatewayApi api, List<String> streams) throws Exception {
        List<Future<Boolean>> drops = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                URI uri = URI.create(api.url("/v1/streams/" + streams.get(i % streams.size()) + "/events"));
                drops.add(pool.submit(() -> {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(1_000)); // spread the connects over the stream
                    return connectAndReset(uri, 1 + ThreadLocalRandom.current().nextInt(20));
                }));
            }
            int midStream = 0;
            for (Future<Boolean> drop : drops) {
                midStream += drop.get(WAIT.toSeconds(), TimeUnit.SECONDS) ? 1 : 0;
            }
            return midStream;
        }
    }

    /**
     * Reads the stream until {@code deltas} deltas arrived (or it ended), then resets the connection
     * (SO_LINGER 0: an RST, no orderly close). True if it dropped after a delta and before the end.
     */
    private static boolean connectAndReset(URI uri, int deltas) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder received = new StringBuilder();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int seen = 0;
            for (int n; seen < deltas && !received.toString().contains("event: done") && (n = in.read(buffer)) >= 0; ) {
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                seen = count(received, "event: delta");
            }
            socket.setSoLinger(true, 0);
            return seen > 0 && !received.toString().contains("event: done");
        }
    }

    private static int count(CharSequence text, String what) {
        int n = 0;
        for (int at = text.toString().indexOf(what); at >= 0; at = text.toString().indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static double gauge(GatewayApi api) throws Exception {
        Matcher m = GAUGE.matcher(api.management("/q/metrics").body());
        assertThat(m.find()).as("tokenlog_gateway_sse_subscribers is exported").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static Handler errorCapture(List<String> into) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    into.add(record.getMessage() + (record.getThrown() == null ? "" : ": " + record.getThrown()));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }
}
