package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat page in a real headless Chromium against a gateway with API keys on (the profile of
 * {@link AuthTest}, so no extra app start): without a key the page says that the gateway needs one;
 * with the key typed in, it streams, cancels and resumes as with keys off. The key stays in the tab's
 * sessionStorage, never in localStorage or a URL.
 */
@QuarkusTest
@TestProfile(AuthTest.KeysRequired.class)
class WebUiAuthTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int WORDS = 40;
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    private static HeadlessChromium chromium;

    @TestHTTPResource("/")
    String base;

    private ChatPage page;

    @BeforeAll
    static void startChromium() throws Exception {
        chromium = HeadlessChromium.start();
    }

    @AfterAll
    static void stopChromium() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void openPage() {
        page = new ChatPage(chromium.driver(), WAIT).open(base);
    }

    @Test
    void withoutAKeyThePageAsksForItAndWithTheKeyStreamsToDone() throws Exception {
        page.submit("who am i", "mock/echo", 16, "mock.tps=0 mock.ttft-ms=0");

        page.await("the gateway's 401", p -> p.status().equals("error"));
        assertThat(page.error()).contains("HTTP 401").contains("requires an API key").contains("API key field");
        assertThat(page.streamId()).as("nothing was created").isEqualTo("–");

        String key = key();
        page.apiKey(key);
        String id = page.send("streamed with a key", "mock/echo", 16, "mock.tps=20 mock.ttft-ms=0");
        page.await("the end of the stream", p -> p.status().equals("done"));
        JsonNode answer = awaitStatus(id, "COMPLETED", key);
        assertThat(page.output()).isEqualTo(answer.get("text").asText()).isEqualTo("streamed with a key");

        assertThat(page.storageItem("sessionStorage", "tokenlog.api-key")).isEqualTo(key);
        assertThat(page.storageDump("localStorage")).as("nothing in localStorage").isEqualTo("[]");
        assertThat(page.currentUrl()).doesNotContain(key);
        page.reload();
        assertThat(page.apiKey()).as("the key survives a reload of the tab").isEqualTo(key);
        assertThat(page.output()).isEqualTo("streamed with a key");

        page.apiKey("sk-not-a-key");
        page.submit("wrong key", "mock/echo", 16, "");
        page.await("the gateway's 401", p -> p.status().equals("error"));
        assertThat(page.error()).contains("HTTP 401").contains("refused this API key").doesNotContain("sk-not-a-key");
    }

    @Test
    void cancelWithTheKeyEndsTheStreamCancelled() throws Exception {
        String key = key();
        page.apiKey(key);
        String id = page.send("tell me something", "mock/lorem", WORDS, "mock.tps=10 mock.ttft-ms=0");
        page.await("a few words", p -> p.outputWords() >= 3);

        page.cancel();

        page.await("the stream to end", p -> !p.status().equals("streaming"));
        assertThat(page.status()).as(page.error()).isEqualTo("cancelled");
        JsonNode answer = awaitStatus(id, "CANCELLED", key);
        assertThat(page.output()).isEqualTo(answer.get("text").asText());
        assertThat(page.outputWords()).isBetween(3, WORDS - 1);
    }

    /** The first key of the profile's {@code tokenlog.auth.keys} ({@code <tenant>:<key>,...}). */
    private static String key() {
        String entry = ConfigProvider.getConfig().getValues("tokenlog.auth.keys", String.class).getFirst();
        return entry.substring(entry.indexOf(':') + 1).trim();
    }

    private JsonNode awaitStatus(String id, String status, String key) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).until(() -> {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "")
                    + "/v1/streams/" + id)).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            last[0] = TestJson.parse(response.body());
            return status.equals(last[0].get("status").asText());
        });
        return last[0];
    }
}
