package dev.tokenlog.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestRegistryTest {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String STRING_SCHEMA = "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}";
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private static HttpClient http;
    private final TestRegistry registry = TestRegistry.shared();

    @BeforeAll
    static void client() {
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void close() {
        http.close();
    }

    @Test
    void urlsAreOnLoopback() {
        assertThat(registry.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(registry.ccompatUrl()).isEqualTo(registry.baseUrl() + "/apis/ccompat/v7");
        assertThat(registry.registryV3Url()).isEqualTo(registry.baseUrl() + "/apis/registry/v3");
    }

    @Test
    void schemaRegisteredThroughCcompatIsReadBackById() throws Exception {
        String subject = "t-value";
        HttpResponse<String> registered = post(registry.ccompatUrl() + "/subjects/" + subject + "/versions", STRING_SCHEMA);
        assertThat(registered.statusCode()).isEqualTo(200);
        long id = id(registered.body());

        HttpResponse<String> byId = get(registry.ccompatUrl() + "/schemas/ids/" + id);

        assertThat(byId.statusCode()).isEqualTo(200);
        assertThat(byId.body()).contains("string");
    }

    @Test
    void sameSchemaUnderTwoSubjectsHasOneIdAsInConfluent() throws Exception {
        long first = id(post(registry.ccompatUrl() + "/subjects/a-" + UUID.randomUUID() + "/versions", STRING_SCHEMA).body());
        long second = id(post(registry.ccompatUrl() + "/subjects/b-" + UUID.randomUUID() + "/versions", STRING_SCHEMA).body());

        assertThat(second).isEqualTo(first);
    }

    @Test
    void globalCompatibilityDefaultsToBackwardAsInConfluent() throws Exception {
        assertThat(get(registry.ccompatUrl() + "/config").body()).contains("BACKWARD");
    }

    @Test
    void registryComesBackEmptyOnTheSamePortAfterStopAndIdsRestart() throws Exception {
        String subject = "restart-" + UUID.randomUUID();
        post(registry.ccompatUrl() + "/subjects/" + subject + "/versions", STRING_SCHEMA);
        String before = registry.baseUrl();

        registry.stop();

        assertThat(registry.isRunning()).isFalse();
        assertThatThrownBy(() -> get(registry.ccompatUrl() + "/subjects")).isInstanceOf(ConnectException.class);

        registry.start();

        assertThat(registry.baseUrl()).isEqualTo(before);
        HttpResponse<String> subjects = get(registry.ccompatUrl() + "/subjects");
        assertThat(subjects.statusCode()).isEqualTo(200);
        assertThat(subjects.body()).doesNotContain(subject); // in-memory storage
        long firstIdAfterRestart = id(post(registry.ccompatUrl() + "/subjects/" + subject + "/versions", STRING_SCHEMA).body());
        assertThat(firstIdAfterRestart).isEqualTo(1);
    }

    private static HttpResponse<String> post(String url, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long id(String body) {
        Matcher m = ID.matcher(body);
        assertThat(m.find()).as("id in %s", body).isTrue();
        return Long.parseLong(m.group(1));
    }
}
