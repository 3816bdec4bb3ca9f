package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, end to end: {@code deploy/local/run --no-build} on free ports and a
 * fresh data directory, a real mock/echo stream through the gateway, a clean SIGTERM stop with no
 * process left, and a second start on the same directory that replays the stream unchanged.
 */
class LocalRunIT {
    private static final Path ROOT = Path.of(System.getProperty("tokenlog.root", "..")).toAbsolutePath().normalize();
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration STOP = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECHO_REQUEST = """
            {"model":"mock/echo","messages":[{"role":"user","content":"hello from tokenlog"}],\
            "max_tokens":64,"metadata":{}}""";

    @TempDir
    Path temp;

    @Test
    void streamsThroughTheGatewayAndReplaysIdenticallyAfterRestart() throws Exception {
        assumeTrue(Files.exists(ROOT.resolve("llm-worker/target/quarkus-app/quarkus-run.jar"))
                        && Files.exists(ROOT.resolve("stream-fanout/target/quarkus-app/quarkus-run.jar")),
                "llm-worker and stream-fanout are not packaged yet");
        Path data = temp.resolve("data");
        Files.createDirectories(data);
        Map<String, String> env = LauncherProcess.freeLauncherPorts();
        String gateway = "http://127.0.0.1:" + env.get("TOKENLOG_HTTP_PORT");
        String management = "http://127.0.0.1:" + env.get("TOKENLOG_MANAGEMENT_PORT");

        String id;
        String events;
        List<SseReader.Event> firstDeltas;
        try (LauncherProcess run = LauncherProcess.start(ROOT, data, env, "--no-build")) {
            run.awaitOk(management + "/q/health/ready", START);
            run.awaitOk("http://127.0.0.1:" + env.get("TOKENLOG_WORKER_MANAGEMENT_PORT") + "/q/health/ready", START);
            assertThat(JvmProcess.get(management + "/q/metrics").status()).isEqualTo(200);
            assertThat(JvmProcess.get(gateway + "/q/metrics").status()).as("metrics on the public port").isEqualTo(404);
            JsonNode created = post(gateway + "/v1/streams", ECHO_REQUEST);
            id = created.get("id").asText();
            events = created.get("events").asText() + "?token=" + created.get("token").asText();

            List<SseReader.Event> stream = SseReader.readUntilTerminal(HTTP, URI.create(gateway).resolve(events), START);
            assertThat(stream).extracting(SseReader.Event::event).first().isEqualTo("start");
            assertThat(stream).extracting(SseReader.Event::event).last().isEqualTo("done");
            firstDeltas = deltas(stream);
            assertThat(firstDeltas).as("delta events of %s", id).isNotEmpty();

            JsonNode answer = awaitCompleted(gateway + "/v1/streams/" + id);
            assertThat(answer.get("text").asText()).isEqualTo(text(firstDeltas));

            Map<String, Long> pids = run.recordedPids();
            assertThat(pids).containsKeys("kafka", "registry", "llm-worker", "stream-fanout", "launcher");
            assertThat(run.terminate(STOP)).as("launcher exit status; output:%n%s", run.output()).isZero();
            LauncherProcess.assertAllGone(pids);
        }

        try (LauncherProcess again = LauncherProcess.start(ROOT, data, env, "--no-build")) {
            again.awaitOk(management + "/q/health/ready", START);
            try {
                List<SseReader.Event> replay = SseReader.readUntilTerminal(HTTP, URI.create(gateway).resolve(events), START);
                assertThat(deltas(replay)).as("replay of %s after restart", id).isEqualTo(firstDeltas);
                assertThat(awaitCompleted(gateway + "/v1/streams/" + id).get("text").asText()).isEqualTo(text(firstDeltas));
            } catch (AssertionError | Exception e) {
                throw new AssertionError(e.getMessage() + "\nproblems in the process logs:\n" + again.problems(80), e);
            }
            Map<String, Long> pids = again.recordedPids();
            assertThat(again.terminate(STOP)).isZero();
            LauncherProcess.assertAllGone(pids);
        }
    }


    /** Delta events (id and data), which must be identical on every replay. */
    private static List<SseReader.Event> deltas(List<SseReader.Event> events) {
        return events.stream().filter(e -> e.event().equals("delta")).toList();
    }

    private static String text(List<SseReader.Event> deltas) throws Exception {
        StringBuilder text = new StringBuilder();
        for (SseReader.Event delta : deltas) {
            text.append(JSON.readTree(delta.data()).get("text").asText());
        }
        return text.toString();
    }

    private static JsonNode post(String url, String json) throws Exception {
        return GatewayHttp.post(url, json);
    }

    private static JsonNode awaitCompleted(String url) throws Exception {
        return GatewayHttp.awaitCompleted(url);
    }
}
