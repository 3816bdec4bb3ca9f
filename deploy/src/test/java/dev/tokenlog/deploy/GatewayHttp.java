package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** The gateway's HTTP API as the deployment tests call it, on a running stack. */
final class GatewayHttp {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    private GatewayHttp() {}

    /** {@code POST} of a stream request; asserts 202 and returns {@code {id, events, token}}. */
    static JsonNode post(String url, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST %s: %s", url, response.body()).isEqualTo(202);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("id") && body.has("events") && body.has("token")).as(response.body()).isTrue();
        return body;
    }

    /** {@code GET url} as JSON, or null when it does not answer 200. */
    static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    /** The fold writes the FinalAnswer shortly after {@code done}; poll until the status says so. */
    static JsonNode awaitCompleted(String url) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = get(url);
            if (last != null && "COMPLETED".equals(last.path("status").asText())) {
                return last;
            }
            Thread.sleep(200); // poll interval while waiting on a condition
        }
        throw new AssertionError("GET " + url + " never reported COMPLETED; last answer: " + last);
    }
}
