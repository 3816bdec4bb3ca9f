package dev.tokenlog.fanout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A minimal SSE reader for tests: reads events until a terminal one or the end of the response. */
public final class SseClient {
    /**
     * HTTP/1.1, one connection per subscriber, as EventSource over {@code http://}. Over one shared h2c
     * connection, a test that stops reading at the terminal event resets a stream each time, and Vert.x
     * closes a connection after 200 resets in 30 s (its guard against HTTP/2 rapid-reset floods).
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sse-client-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** One received event; id may be null. */
    public record Event(String id, String event, String data) {}

    /** The response status and the events read. */
    public record Result(int status, String contentType, String cacheControl, List<Event> events, String body) {
        public String text() {
            StringBuilder sb = new StringBuilder();
            events.stream().filter(e -> e.event().equals("delta"))
                    .forEach(e -> sb.append(TestJson.field(e.data(), "text")));
            return sb.toString();
        }
    }

    public static Result read(String url, String lastEventId, Duration timeout) throws IOException, InterruptedException {
        return read(url, lastEventId, timeout, e -> {});
    }

    /** As {@link #read(String, String, Duration)}, handing each event to {@code onEvent} as soon as it is read. */
    public static Result read(String url, String lastEventId, Duration timeout, Consumer<Event> onEvent)
            throws IOException, InterruptedException {
        return read(HTTP, url, lastEventId, timeout, onEvent);
    }

    /** An HTTP/1.1 client whose connections come from {@code localAddress} (e.g. 127.0.0.3: another client address). */
    public static HttpClient from(String localAddress) throws IOException {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .localAddress(java.net.InetAddress.getByName(localAddress)).build();
    }

    /** As {@link #read(String, String, Duration, Consumer)}, with {@code http} (see {@link #from}). */
    public static Result read(HttpClient http, String url, String lastEventId, Duration timeout, Consumer<Event> onEvent)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String type = response.headers().firstValue("content-type").orElse("");
        String cache = response.headers().firstValue("cache-control").orElse("");
        List<Event> events = new ArrayList<>();
        // The request timeout only bounds the wait for the headers: a stream that never ends would
        // hold the suite forever, so the whole body read gets the same bound.
        InputStream in = response.body();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            in.close();
            return null;
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            if (!type.startsWith("text/event-stream")) {
                StringBuilder body = new StringBuilder();
                reader.lines().forEach(body::append);
                return new Result(response.statusCode(), type, cache, events, body.toString());
            }
            String id = null;
            String name = "message";
            StringBuilder data = null;
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (data != null) {
                        Event e = new Event(id, name, data.toString());
                        events.add(e);
                        onEvent.accept(e);
                        if (e.event().equals("done") || e.event().equals("error") || e.event().equals("cancelled")) {
                            break;
                        }
                    }
                    id = null;
                    name = "message";
                    data = null;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            if (!timedOut.get()) {
                throw e;
            }
        } finally {
            watchdog.cancel(false);
        }
        if (timedOut.get()) {
            throw new IOException("no end of the stream " + url + " within " + timeout + "; " + events.size()
                    + " events read: " + events);
        }
        return new Result(response.statusCode(), type, cache, events, "");
    }
}
