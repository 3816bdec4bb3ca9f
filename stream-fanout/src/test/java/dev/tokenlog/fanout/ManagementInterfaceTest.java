package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Health and metrics live on Quarkus' management interface, a port of its own that is never exposed to
 * clients: the gateway's public port answers 404 for every {@code /q} path.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class ManagementInterfaceTest {
    private static final List<String> PATHS = List.of("/q/metrics", "/q/health", "/q/health/ready", "/q/health/live");

    @TestHTTPResource("/")
    URI publicPort;

    @TestHTTPResource(value = "/", management = true)
    URI managementPort;

    @Test
    void healthAndMetricsAnswerOnTheManagementPortOnly() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Gateway metrics and health on the public port",
                "GET /q/metrics, /q/health, /q/health/ready, /q/health/live on the gateway's public port",
                "404 on the public port; Prometheus text (tokenlog_ metrics) and readiness on the management port");
        GatewayApi api = new GatewayApi(publicPort.toString());
        assertThat(managementPort.getPort()).as("a port of its own").isNotEqualTo(publicPort.getPort());
        assertThat(GatewayApi.managementRoot().getPort()).as("what GatewayApi asks").isEqualTo(managementPort.getPort());
        for (String path : PATHS) {
            assertThat(api.get(path).statusCode()).as("public %s", path).isEqualTo(404);
            assertThat(api.get(path).body()).as("public %s", path).doesNotContain("tokenlog_", "\"checks\"");
        }
        s.sent(PATHS.size()).answered(PATHS.size());

        assertThat(api.management("/q/metrics").statusCode()).isEqualTo(200);
        assertThat(api.management("/q/metrics").body()).contains("# TYPE tokenlog_");
        api.awaitReady(Duration.ofSeconds(60));
        assertThat(api.management("/q/health/live").body()).contains("\"status\": \"UP\"");
        s.checked(3);
        s.passed();
    }
}
