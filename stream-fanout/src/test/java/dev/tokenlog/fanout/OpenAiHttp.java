package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** {@code POST /v1/chat/completions} and the OpenAI event format as plain HTTP, for tests of the exact bytes. */
final class OpenAiHttp {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** One SSE event as sent: its id (null when it has none) and its data. */
    record Event(String id, String data) {}

    private final GatewayApi api;

    OpenAiHttp(GatewayApi api) {
        this.api = api;
    }

    /** Posts a Chat Completions body (JSON) and reads the whole response. */
    HttpResponse<String> complete(String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.url("/v1/chat/completions"))).timeout(TIMEOUT)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts {@code body} with chunked transfer encoding (no Content-Length). */
    HttpResponse<String> completeChunked(byte[] body) throws IOException, InterruptedException {
        Supplier<InputStream> stream = () -> new java.io.ByteArrayInputStream(body);
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.url("/v1/chat/completions"))).timeout(TIMEOUT)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofInputStream(stream)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts a streaming call and returns as soon as the headers arrive. */
    HttpResponse<InputStream> open(String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.url("/v1/chat/completions"))).timeout(TIMEOUT)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /** {@code GET path}, with {@code Last-Event-ID} when not null, read to its end. */
    HttpResponse<String> get(String path, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url(path))).timeout(TIMEOUT);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The events of an SSE body. Besides events, only the {@code retry:} hint and comments may appear,
     * each ending with a single newline (never a block of its own, which OpenAI's SDKs would take for
     * an event without data); an event has at most an {@code id:} and one {@code data:} line (OpenAI's
     * format names no event).
     */
    static List<Event> events(String body) {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String id = null;
            String data = null;
            for (String line : block.split("\n")) {
                if ((line.startsWith("retry: ") || line.startsWith(": ")) && id == null && data == null) {
                    continue;
                }
                if (line.startsWith("id: ") && id == null && data == null) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ") && data == null) {
                    data = line.substring(6);
                } else {
                    throw new AssertionError("unexpected SSE line '" + line + "' in block:\n" + block);
                }
            }
            assertThat(data).as("data of block %s", block).isNotNull();
            events.add(new Event(id, data));
        }
        return events;
    }
}
