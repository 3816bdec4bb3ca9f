package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.schemas.RequestIds;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any gateway instance serves any stream: the local stack (Kafka, registry, worker, gateway A) plus a
 * second gateway process B in the same Kafka Streams application, so each folds only some partitions.
 * While a stream runs, both report its status (from the global stream index, even once the request
 * is older than the pending grace), both replay it from the start with identical events, and both
 * serve the same final answer.
 */
class TwoGatewaysIT {
    private static final Path ROOT = Path.of(System.getProperty("tokenlog.root", "..")).toAbsolutePath().normalize();
    private static final Path FANOUT_JAR = ROOT.resolve("stream-fanout/target/quarkus-app/quarkus-run.jar");
    private static final Duration START = Duration.ofSeconds(180);
    private static final String SECRET = "two-gateways-test-secret";

    @TempDir
    Path temp;

    @Test
    void bothInstancesServeAStreamRunningAnywhereIdentically() throws Exception {
        assumeTrue(Files.exists(ROOT.resolve("llm-worker/target/quarkus-app/quarkus-run.jar")) && Files.exists(FANOUT_JAR),
                "llm-worker and stream-fanout are not packaged yet");
        Path data = Files.createDirectories(temp.resolve("data"));
        List<Integer> p = LauncherProcess.freePorts(7);
        Map<String, String> env = new HashMap<>(Map.of(
                "TOKENLOG_HTTP_PORT", p.get(0).toString(),
                "TOKENLOG_WORKER_HTTP_PORT", p.get(1).toString(),
                "TOKENLOG_KAFKA_PORT", p.get(2).toString(),
                "TOKENLOG_KAFKA_CONTROLLER_PORT", p.get(3).toString(),
                "TOKENLOG_REGISTRY_PORT", p.get(4).toString(),
                "TOKENLOG_REGISTRY_MANAGEMENT_PORT", p.get(5).toString(),
                "TOKENLOG_GATEWAY_TOKEN_SECRET", SECRET,
                "TOKENLOG_GATEWAY_PENDING_GRACE", "1s"));
        String a = "http://127.0.0.1:" + p.get(0);
        String b = "http://127.0.0.1:" + p.get(6);
        try (LauncherProcess stack = LauncherProcess.start(ROOT, data, env, "--no-build")) {
            stack.awaitOk(a + "/q/health/ready", START);
            Process gatewayB = startGatewayB(p.get(6), p.get(2), p.get(4));
            try {
                stack.awaitOk(b + "/q/health/ready", START);
                JsonNode created = GatewayHttp.post(a + "/v1/streams", """
                        {"model":"mock/lorem","messages":[{"role":"user","content":"two gateways"}],"max_tokens":80,
                         "metadata":{"mock.tps":"20","mock.ttft-ms":"0"}}""");
                String id = created.get("id").asText();
                String events = created.get("events").asText() + "?token=" + created.get("token").asText();

                Instant pastGrace = RequestIds.timestampOf(id).plusMillis(1500);
                while (Instant.now().isBefore(pastGrace) || !running(a, id)) {
                    Thread.sleep(100); // poll interval while waiting on a condition
                }
                JsonNode onB = GatewayHttp.get(b + "/v1/streams/" + id);
                assertThat(onB).as("B knows the stream A accepted").isNotNull();
                assertThat(onB.get("status").asText()).as("%s", onB).isEqualTo("RUNNING");

                List<SseReader.Event> fromA = SseReader.readUntilTerminal(GatewayHttp.HTTP, URI.create(a + events), START);
                List<SseReader.Event> fromB = SseReader.readUntilTerminal(GatewayHttp.HTTP, URI.create(b + events), START);
                assertThat(fromB).as("the same events with the same ids on both instances").isEqualTo(fromA);
                assertThat(fromA).extracting(SseReader.Event::event).last().isEqualTo("done");

                JsonNode answerA = GatewayHttp.awaitCompleted(a + "/v1/streams/" + id);
                JsonNode answerB = GatewayHttp.awaitCompleted(b + "/v1/streams/" + id);
                assertThat((Object) answerB).as("B's answer (JSON, field order aside)").isEqualTo(answerA);
                assertThat(answerA.get("text").asText().split(" ")).hasSize(80);
            } finally {
                gatewayB.destroy();
                if (!gatewayB.waitFor(60, TimeUnit.SECONDS)) {
                    gatewayB.destroyForcibly().waitFor();
                }
            }
            assertThat(stack.terminate(Duration.ofSeconds(90))).isZero();
        }
    }

    private static boolean running(String gateway, String id) throws Exception {
        JsonNode status = GatewayHttp.get(gateway + "/v1/streams/" + id);
        return status != null && status.get("status").asText().equals("RUNNING");
    }

    private Process startGatewayB(int httpPort, int kafkaPort, int registryPort) throws Exception {
        Path log = temp.resolve("gateway-b.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-jar", FANOUT_JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TOKENLOG_"));
        builder.environment().putAll(Map.of(
                "QUARKUS_HTTP_HOST", "127.0.0.1",
                "QUARKUS_HTTP_PORT", String.valueOf(httpPort),
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort,
                "TOKENLOG_REGISTRY_URL", "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7",
                "TOKENLOG_STATE_DIR", temp.resolve("streams-b").toString(),
                "TOKENLOG_GATEWAY_TOKEN_SECRET", SECRET,
                "TOKENLOG_GATEWAY_PENDING_GRACE", "1s"));
        return builder.start();
    }
}
