package dev.tokenlog.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Reads a Server-Sent Events response (WHATWG HTML, "event stream interpretation") until a
 * terminal event, for tests that check what the gateway streams.
 */
final class SseReader {
    /** Events after which the gateway ends the response (ARCHITECTURE.md, "SSE contract"). */
    static final Set<String> TERMINALS = Set.of("done", "error", "cancelled");

    /** One dispatched event; {@code event} is "message" when the stream names none. */
    record Event(String id, String event, String data) {}

    private SseReader() {}

    /**
     * GETs {@code url} with {@code Accept: text/event-stream} and collects events until a terminal
     * one, failing when none arrives within {@code timeout}.
     */
    static List<Event> readUntilTerminal(HttpClient http, URI url, Duration timeout) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(url).header("accept", "text/event-stream").build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + body);
        }
        InputStream body = response.body();
        CompletableFuture<List<Event>> events = CompletableFuture.supplyAsync(() -> read(body));
        try {
            return events.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no terminal event from " + url + " within " + timeout);
        } catch (ExecutionException e) {
            throw new AssertionError("reading " + url + " failed: " + e.getCause(), e.getCause());
        } finally {
            body.close();
        }
    }

    private static List<Event> read(InputStream body) {
        List<Event> events = new ArrayList<>();
        try {
            if (!forEach(body, events::add)) {
                throw new AssertionError("event stream ended without a terminal event; got " + events);
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Hands each event of {@code body} to {@code sink} as it is dispatched; true once a terminal
     * event was handed over (reading stops there), false when the stream ended before one.
     */
    static boolean forEach(InputStream body, Consumer<Event> sink) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (data != null) {
                        Event event = new Event(id, name == null ? "message" : name, data.toString());
                        sink.accept(event);
                        if (TERMINALS.contains(event.event())) {
                            return true;
                        }
                    }
                    name = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue; // comment: heartbeat
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { } // "retry" and unknown fields do not affect the events
                }
            }
            return false;
        }
    }
}
