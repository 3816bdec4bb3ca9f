package dev.tokenlog.worker.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping a call closes its HTTP connection, not only the adapter's wait: a server that sent one
 * event and then stalls sees the connection end within a second of the stop, whether the stop came
 * through the call's stop hook or as an interrupt of the calling thread. A raw socket server, since
 * the JDK's HttpServer does not tell a handler that its client went away.
 */
class BedrockStopTest {

    @ParameterizedTest(name = "stopped by {0}")
    @ValueSource(strings = {"stop hook", "interrupt"})
    void stoppingClosesTheHttpConnectionWithinASecond(String how) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Instant> closedAt = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> serveOneEventThenStall(listener, closedAt));
            List<Closeable> hooks = new CopyOnWriteArrayList<>();
            List<ProviderEvent> events = new CopyOnWriteArrayList<>();
            ProviderCall simple = TestCalls.simple();
            ProviderCall call = new ProviderCall(simple.request(), simple.model(), hooks::add);
            BedrockProvider provider = new BedrockProvider(BedrockContractTest.settings(
                    "http://127.0.0.1:" + listener.getLocalPort(), Optional.of("test-key-1234"), Map.of()));
            Thread runner = Thread.ofVirtual().start(() -> {
                try {
                    provider.stream(call, events::add);
                } catch (Exception expected) {
                    // IOException (stopped) or InterruptedException
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());

            Instant stoppedAt = Instant.now();
            if (how.equals("stop hook")) {
                for (Closeable hook : hooks) {
                    hook.close();
                }
            } else {
                runner.interrupt();
            }

            assertThat(runner.join(Duration.ofSeconds(1))).as("adapter returned").isTrue();
            Instant closed = closedAt.get(2, TimeUnit.SECONDS);
            assertThat(Duration.between(stoppedAt, closed)).as("connection closed after the stop").isLessThan(Duration.ofSeconds(1));
            assertThat(events).containsExactly(new ProviderEvent.Text("Hi"));
        }
    }

    /** Answers one request with a chunked event stream of one event, then waits for the client to hang up. */
    private static void serveOneEventThenStall(ServerSocket listener, CompletableFuture<Instant> closedAt) {
        try (Socket socket = listener.accept()) {
            InputStream in = socket.getInputStream();
            readRequest(in);
            byte[] frame = EventStreamFrames.encode(
                    "event contentBlockDelta {\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}\n");
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: " + EventStreamFrames.CONTENT_TYPE
                    + "\r\ntransfer-encoding: chunked\r\n\r\n" + Integer.toHexString(frame.length) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(frame);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (in.read() != -1) {
                // nothing more is expected from the client until it closes
            }
            closedAt.complete(Instant.now());
        } catch (IOException reset) {
            closedAt.complete(Instant.now());
        }
    }

    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("request ended early");
            }
            head.write(b);
        }
        int length = head.toString(StandardCharsets.US_ASCII).lines()
                .filter(line -> line.toLowerCase().startsWith("content-length:"))
                .mapToInt(line -> Integer.parseInt(line.substring("content-length:".length()).trim()))
                .findFirst().orElse(0);
        in.readNBytes(length);
    }
}
