package dev.tokenlog.deploy;

import dev.tokenlog.schemas.Topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/local/run --no-build --infra-only} with the packaged broker classpath and the
 * unpacked registry: a record and a schema written in one run are there in the next, and a
 * SIGTERM leaves no process behind. Needs only this module's package phase, so it always runs.
 */
class LocalInfraIT {
    private static final Path ROOT = Path.of(System.getProperty("tokenlog.root", "..")).toAbsolutePath().normalize();
    private static final Duration START = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"Probe\\",\\"fields\\":[{\\"name\\":\\"a\\",\\"type\\":\\"string\\"}]}"}""";

    @TempDir
    Path temp;

    @Test
    void keepsRecordsAndSchemaIdsAcrossRestartAndLeavesNothingRunning() throws Exception {
        Path data = temp.resolve("data");
        Files.createDirectories(data);
        List<Integer> ports = LauncherProcess.freePorts(4);
        Map<String, String> env = Map.of(
                "TOKENLOG_KAFKA_PORT", ports.get(0).toString(),
                "TOKENLOG_KAFKA_CONTROLLER_PORT", ports.get(1).toString(),
                "TOKENLOG_REGISTRY_PORT", ports.get(2).toString(),
                "TOKENLOG_REGISTRY_MANAGEMENT_PORT", ports.get(3).toString(),
                "TOKENLOG_PARTITIONS", "2");
        String bootstrap = "127.0.0.1:" + ports.get(0);
        String registry = "http://127.0.0.1:" + ports.get(2) + "/apis/ccompat/v7";

        int schemaId;
        RecordMetadata written;
        try (LauncherProcess run = LauncherProcess.start(ROOT, data, env, "--no-build", "--infra-only")) {
            run.awaitOutput("running; Ctrl-C stops everything", START);
            assertThat(run.output()).contains("tokenlog: up in");
            schemaId = register(registry + "/subjects/llm.chunks-value/versions");
            written = KafkaProbe.produce(bootstrap, Topics.CHUNKS, "request-1", "kept across restart");

            Map<String, Long> pids = run.recordedPids();
            assertThat(pids).containsOnlyKeys("kafka", "registry", "launcher");
            assertThat(run.terminate(Duration.ofSeconds(60))).as("exit status; output:%n%s", run.output()).isZero();
            LauncherProcess.assertAllGone(pids);
            assertThat(run.output()).containsSubsequence("stopped registry", "stopped kafka", "all stopped");
        }

        try (LauncherProcess again = LauncherProcess.start(ROOT, data, env, "--no-build", "--infra-only")) {
            again.awaitOutput("running; Ctrl-C stops everything", START);
            assertThat(get(registry + "/schemas/ids/" + schemaId).get("schema").asText()).contains("Probe");
            assertThat(register(registry + "/subjects/llm.chunks-value/versions")).isEqualTo(schemaId);
            assertThat(KafkaProbe.readAt(bootstrap, written).value()).isEqualTo("kept across restart");
            Map<String, Long> pids = again.recordedPids();
            assertThat(again.terminate(Duration.ofSeconds(60))).isZero();
            LauncherProcess.assertAllGone(pids);
        }
    }

    private static int register(String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("content-type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(SCHEMA)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST %s: %s", url, response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("id").asInt();
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
