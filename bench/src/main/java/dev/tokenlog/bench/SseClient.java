package dev.tokenlog.bench;

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
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The load generator's Server-Sent-Events reader: {@link HttpClient} (HTTP/1.1, one connection per
 * subscription), called from one virtual thread per subscription, parsing {@code id:}, {@code event:}
 * and {@code data:} lines into events stamped with their receive time. Used for both the gateway and
 * the baseline (the mock provider read directly).
 */
final class SseClient {
    /** What a subscription is told; returning {@code false} from {@link #onEvent} closes it. */
    interface Listener {
        /** The response headers arrived (the subscription is open). */
        default void onOpen(long micros) {
        }

        boolean onEvent(String id, String event, String data, long receivedMicros);
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    HttpClient http() {
        return http;
    }

    /** GETs {@code uri} as an event stream and feeds its events to {@code listener} until it ends. */
    void get(URI uri, Map<String, String> headers, Listener listener) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        read(request.build(), listener);
    }

    /** POSTs {@code json} (e.g. a streaming chat completion) and reads the event stream it answers. */
    void post(URI uri, String json, Listener listener) throws IOException, InterruptedException {
        read(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), listener);
    }

    private void read(HttpRequest request, Listener listener) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body();
             BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode()
                        + ": " + new String(body.readNBytes(500), StandardCharsets.UTF_8));
            }
            listener.onOpen(Micros.now());
            String id = null;
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (!data.isEmpty() && !listener.onEvent(id, event, data.toString(), Micros.now())) {
                        return;
                    }
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(value(line, 5));
                } else if (line.startsWith("id:")) {
                    id = value(line, 3);
                } else if (line.startsWith("event:")) {
                    event = value(line, 6);
                }
            }
        }
    }

    private static String value(String line, int from) {
        return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
    }
}
