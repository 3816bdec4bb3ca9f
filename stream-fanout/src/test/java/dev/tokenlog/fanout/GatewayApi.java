package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/** The gateway's HTTP API as the tests call it: plain JDK HTTP against the running app. */
public final class GatewayApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String base;

    /** @param base the app's root URL, with or without a trailing slash */
    public GatewayApi(String base) {
        this.base = base.replaceAll("/$", "");
    }

    public String url(String path) {
        return base + path;
    }

    /** Creates a mock stream of {@code model} ({@code mock/echo}, {@code mock/lorem}) at {@code tps} tokens/s; its JSON. */
    public JsonNode createMock(String model, String prompt, int maxTokens, String tps) throws IOException, InterruptedException {
        HttpResponse<String> response = post("/v1/streams", """
                {"model":"%s","messages":[{"role":"user","content":"%s"}],"max_tokens":%d,
                 "metadata":{"mock.tps":"%s","mock.ttft-ms":"0"}}""".formatted(model, prompt, maxTokens, tps));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return TestJson.parse(response.body());
    }

    /** {@code GET /v1/streams/{id}}, which must answer 200. */
    public JsonNode stream(String id) throws IOException, InterruptedException {
        return getJson("/v1/streams/" + id);
    }

    /** Waits until the stream's status is {@code status}; its last JSON. */
    public JsonNode awaitStatus(String id, String status, Duration wait) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(wait).until(() -> {
            last[0] = stream(id);
            return status.equals(last[0].get("status").asText());
        });
        return last[0];
    }

    /**
     * Waits until the gateway reports ready: after a restart of the app in this JVM (another test
     * profile), its Kafka Streams fold rejoins the group only once the previous member's session
     * has expired, and answers are folded from then on.
     */
    public void awaitReady(Duration wait) {
        await().atMost(wait).until(() -> management("/q/health/ready").statusCode() == 200);
    }

    /**
     * {@code GET} of {@code path} (e.g. {@code /q/metrics}) on the app's management interface, its own
     * port: the app under test in this JVM ({@code quarkus.management.test-port}).
     */
    public HttpResponse<String> management(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(managementRoot().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The management interface of the app under test in this JVM, e.g. {@code http://localhost:41234/q}. */
    public static URI managementRoot() {
        return URI.create(ConfigProvider.getConfig().getValue("test.management.url", String.class));
    }

    public JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestJson.parse(response.body());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
