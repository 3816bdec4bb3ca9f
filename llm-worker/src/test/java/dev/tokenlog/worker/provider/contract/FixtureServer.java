package dev.tokenlog.worker.provider.contract;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback that replays recorded provider wire streams: each request gets the
 * next scripted {@link Reply} (status, headers, body pieces written and flushed one by one, optional
 * pause between pieces, optional stall or abrupt end). Requests are recorded for assertions. A
 * {@link #route routed} path (e.g. a token endpoint the adapter calls besides the stream) has its
 * own replies and its own record, so the scripted order and {@link #received()} concern the stream.
 */
public final class FixtureServer implements AutoCloseable {

    /** What the server answers to one request. */
    public record Reply(int status, Map<String, String> headers, List<byte[]> pieces, Duration pause, Ending ending) {
        public static Reply stream(String contentType, String body) {
            return stream(contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        /** A 200 stream of binary frames (e.g. application/vnd.amazon.eventstream). */
        public static Reply stream(String contentType, byte[] body) {
            return new Reply(200, Map.of("content-type", contentType), List.of(body), Duration.ZERO, Ending.CLOSE);
        }

        public static Reply error(int status, Map<String, String> headers, String body) {
            return new Reply(status, headers, List.of(body.getBytes(StandardCharsets.UTF_8)), Duration.ZERO, Ending.CLOSE);
        }

        /** The same reply, its body split into pieces at these character offsets. */
        public Reply pieces(List<byte[]> newPieces) {
            return new Reply(status, headers, newPieces, pause, ending);
        }

        public Reply pausing(Duration between) {
            return new Reply(status, headers, pieces, between, ending);
        }

        public Reply ending(Ending how) {
            return new Reply(status, headers, pieces, pause, how);
        }
    }

    /** How the response ends after its pieces. */
    public enum Ending { CLOSE, STALL, RESET }

    /** A request the server received. */
    public record Received(String method, String path, Map<String, List<String>> headers, String body) {}

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, java.util.Deque<Reply>> routes = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Received> routed = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch stop = new CountDownLatch(1);

    public FixtureServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FixtureServer then(Reply reply) {
        replies.add(reply);
        return this;
    }

    public List<Received> received() {
        return received;
    }

    /** Forgets scripted replies not yet given and the requests received, so one test cannot script the next. */
    public void clear() {
        replies.clear();
        received.clear();
    }

    /**
     * Answers requests to {@code path} (query ignored) with the replies given for it, in order, the
     * last one repeating; such requests are recorded in {@link #routed()}, not {@link #received()}.
     */
    public FixtureServer route(String path, Reply reply) {
        routes.computeIfAbsent(path, p -> new java.util.concurrent.ConcurrentLinkedDeque<>()).add(reply);
        return this;
    }

    /** Requests answered by a {@link #route}. */
    public List<Received> routed() {
        return routed;
    }

    private Reply routeReply(java.util.Deque<Reply> queue) {
        synchronized (queue) {
            return queue.size() > 1 ? queue.poll() : queue.peek();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                Map.copyOf(exchange.getRequestHeaders()), body);
        java.util.Deque<Reply> route = routes.get(exchange.getRequestURI().getPath());
        (route != null ? routed : received).add(request);
        Reply reply = route != null ? routeReply(route) : replies.poll();
        if (reply == null) {
            exchange.sendResponseHeaders(599, -1);
            exchange.close();
            return;
        }
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(reply.status(), 0);
        OutputStream out = exchange.getResponseBody();
        boolean reset = false;
        try {
            for (byte[] piece : reply.pieces()) {
                out.write(piece);
                out.flush();
                if (!reply.pause().isZero()) {
                    TimeUnit.MILLISECONDS.sleep(reply.pause().toMillis()); // the recorded pacing of the stream
                }
            }
            switch (reply.ending()) {
                case CLOSE -> out.close();
                case STALL -> stop.await(); // hold the connection open without sending, until the server closes
                case RESET -> reset = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientWentAway) {
            // the client closed the stream (cancel, timeout): nothing more to send
        } finally {
            if (!reset) {
                exchange.close();
            }
        }
        if (reset) {
            // An exception out of the handler makes the JDK server drop the connection without ending
            // the chunked body: the client sees the connection break mid-stream.
            throw new IOException("fixture: connection reset mid-stream");
        }
    }

    /** Splits text into pieces of at most {@code size} bytes (to exercise framing across reads). */
    public static List<byte[]> split(String text, int size) {
        return split(text.getBytes(StandardCharsets.UTF_8), size);
    }

    /** Splits bytes into pieces of at most {@code size} bytes. */
    public static List<byte[]> split(byte[] bytes, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            out.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size)));
        }
        return out;
    }

    @Override
    public void close() {
        stop.countDown();
        server.stop(0);
    }
}
