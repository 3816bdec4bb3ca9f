package dev.tokenlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calls the benchmark makes on the gateway's native API besides reading events: create a stream
 * of the bench provider, read its status, cancel it, and read one number from {@code /q/metrics} (on the
 * gateway's management port).
 */
final class Gateway {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String management;
    private final HttpClient http;

    /**
     * @param base       the gateway's public URL
     * @param management the URL of its management interface (health and metrics)
     */
    Gateway(String base, String management, HttpClient http) {
        this.base = base;
        this.management = management;
        this.http = http;
    }

    /** {@code POST /v1/streams} with model {@code bench/<shape>}; returns the stream id. */
    String create(String mockModel, int maxTokens) throws IOException, InterruptedException {
        return create("bench", mockModel, maxTokens);
    }

    /** As {@link #create(String, int)}, through the stack's provider entry {@code provider}. */
    String create(String provider, String mockModel, int maxTokens) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of(
                "model", provider + "/" + mockModel,
                "messages", new Object[] {Map.of("role", "user", "content", "bench")},
                "max_tokens", maxTokens,
                "metadata", Map.of()));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/streams"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IOException("POST /v1/streams answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("id").asText();
    }

    /** The {@code status} of {@code GET /v1/streams/{id}}, e.g. {@code RUNNING} or {@code COMPLETED}. */
    String status(String id) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/streams/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /v1/streams/" + id + " answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode answer = JSON.readTree(response.body());
        return answer.path("status").asText();
    }

    void cancel(String id) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(base + "/v1/streams/" + id + "/cancel"))
                .header("Content-Type", "application/json") // the gateway takes POSTs as JSON only
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    URI events(String id, String query) {
        return URI.create(base + "/v1/streams/" + id + "/events" + (query.isEmpty() ? "" : "?" + query));
    }

    /** The value of the first sample of a Prometheus metric on {@code /q/metrics}, e.g. {@code tokenlog_fold_chunks_folded}. */
    double metric(String name) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(URI.create(management + "/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) {
            throw new IOException("no metric " + name + " on " + management + "/q/metrics");
        }
        return Double.parseDouble(m.group(2));
    }
}
