package dev.tokenlog.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Health and metrics live on Quarkus' management interface, a port of their own: the public port
 * answers 404 for every {@code /q} path, so nothing reachable by clients exposes metrics or health.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class ManagementInterfaceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> PATHS = List.of("/q/metrics", "/q/health", "/q/health/ready", "/q/health/live");

    @TestHTTPResource("/")
    URI publicPort;

    @TestHTTPResource(value = "/", management = true)
    URI managementPort;

    @Test
    void healthAndMetricsAnswerOnTheManagementPortOnly() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Worker metrics and health on the public port",
                "GET /q/metrics, /q/health, /q/health/ready, /q/health/live on the worker's public HTTP port",
                "404 on the public port; 200 with Prometheus text and UP on the management port");
        assertThat(managementPort.getPort()).as("a port of its own").isNotEqualTo(publicPort.getPort());
        for (String path : PATHS) {
            assertThat(get(publicPort, path).statusCode()).as("public %s", path).isEqualTo(404);
        }
        s.sent(PATHS.size()).answered(PATHS.size());

        HttpResponse<String> metrics = get(managementPort, "/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE jvm_memory_used_bytes gauge");
        await().atMost(Duration.ofSeconds(30)).until(() -> get(managementPort, "/q/health/ready").statusCode() == 200);
        assertThat(get(managementPort, "/q/health/live").body()).contains("\"status\": \"UP\"");
        s.checked(3);
        s.passed();
    }

    private static HttpResponse<String> get(URI root, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(root.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
