package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.config.KafkaClients;
import dev.tokenlog.config.KafkaSecurity;
import dev.tokenlog.schemas.Topics;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code TOKENLOG_KAFKA_SECURITY=sasl_ssl deploy/local/run}: the README's stream end to end (request →
 * worker → fold → SSE, then the status) with every Kafka client of both apps, Kafka Streams included,
 * on SCRAM-SHA-512 over TLS, while a plaintext client and a client with a wrong password are refused.
 */
class SecuredLocalRunIT {
    private static final Path ROOT = Path.of(System.getProperty("tokenlog.root", "..")).toAbsolutePath().normalize();
    private static final Duration START = Duration.ofSeconds(300);
    private static final String ECHO_REQUEST = """
            {"model":"mock/echo","messages":[{"role":"user","content":"hello from tokenlog"}],\
            "max_tokens":64,"metadata":{}}""";

    @TempDir
    Path temp;

    @Test
    void streamsEndToEndOverSaslSslAndRefusesPlaintextClients() throws Exception {
        assumeTrue(Files.exists(ROOT.resolve("llm-worker/target/quarkus-app/quarkus-run.jar"))
                        && Files.exists(ROOT.resolve("stream-fanout/target/quarkus-app/quarkus-run.jar")),
                "llm-worker and stream-fanout are not packaged yet");
        Scenario s = Scenario.start(Fault.SECURITY, "plaintext client refused by the secured broker",
                "deploy/local/run with TOKENLOG_KAFKA_SECURITY=sasl_ssl; a plaintext admin client and a SCRAM client "
                        + "with a wrong password on its Kafka port",
                "the mock/echo stream runs request -> worker -> fold -> SSE over SASL_SSL; both clients are refused; "
                        + "no password in any log");
        Path data = temp.resolve("data");
        Files.createDirectories(data);
        Map<String, String> env = new HashMap<>(LauncherProcess.freeLauncherPorts());
        env.put("TOKENLOG_KAFKA_SECURITY", "sasl_ssl");
        env.put("TOKENLOG_MOCK_ENABLED", "true");
        String gateway = "http://127.0.0.1:" + env.get("TOKENLOG_HTTP_PORT");
        String bootstrap = "127.0.0.1:" + env.get("TOKENLOG_KAFKA_PORT");

        try (LauncherProcess run = LauncherProcess.start(ROOT, data, env, "--no-build")) {
            try {
                run.awaitOk("http://127.0.0.1:" + env.get("TOKENLOG_MANAGEMENT_PORT") + "/q/health/ready", START);
                JsonNode created = GatewayHttp.post(gateway + "/v1/streams", ECHO_REQUEST);
                String id = created.get("id").asText();
                URI events = URI.create(gateway).resolve(created.get("events").asText() + "?token=" + created.get("token").asText());
                List<SseReader.Event> stream = SseReader.readUntilTerminal(GatewayHttp.HTTP, events, START);
                assertThat(stream).extracting(SseReader.Event::event).last().isEqualTo("done");
                StringBuilder text = new StringBuilder();
                for (SseReader.Event e : stream) {
                    if (e.event().equals("delta")) {
                        text.append(GatewayHttp.JSON.readTree(e.data()).get("text").asText());
                    }
                }
                assertThat(text).as("echoed text").contains("hello from tokenlog");
                assertThat(GatewayHttp.awaitCompleted(gateway + "/v1/streams/" + id).get("text").asText())
                        .as("the fold's answer, written over SASL_SSL").isEqualTo(text.toString());
                s.sent(1).answered(1).checked(stream.size());

                LocalKafkaSecurity security = LocalKafkaSecurity.in(data);
                try (Admin worker = admin(bootstrap, security.client("worker"), Duration.ofSeconds(30))) {
                    // Least privilege: the worker's user sees only the topics its ACLs name.
                    assertThat(worker.listTopics().names().get()).as("topics visible to the worker's user")
                            .containsExactlyInAnyOrder(Topics.REQUESTS, Topics.CHUNKS, Topics.CONTROL, Topics.REQUESTS_DLQ);
                }
                try (Admin plaintext = admin(bootstrap, KafkaSecurity.NONE, Duration.ofSeconds(4))) {
                    assertThatThrownBy(() -> plaintext.listTopics().names().get())
                            .as("a plaintext client").isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(TimeoutException.class);
                }
                Map<String, String> wrongPassword = new HashMap<>(security.client("worker").settings());
                wrongPassword.put(SaslConfigs.SASL_JAAS_CONFIG,
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"worker\" password=\"guess\";");
                try (Admin guessing = admin(bootstrap, new KafkaSecurity(wrongPassword), Duration.ofSeconds(30))) {
                    assertThatThrownBy(() -> guessing.listTopics().names().get())
                            .as("a client with a wrong password").hasCauseInstanceOf(SaslAuthenticationException.class);
                }
                assertNoPasswordInLogs(data);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(e.getMessage() + "\nproblems in the process logs:\n" + run.problems(60), e);
            }
        }
        s.passed();
    }

    /** An admin client that gives up after {@code timeout} (a plaintext client never gets an answer). */
    private static Admin admin(String bootstrap, KafkaSecurity security, Duration timeout) {
        return new KafkaClients(bootstrap, security, Map.of()).admin("secured-run-it", Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() * 3 / 4,
                CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
    }

    /** Secrets never in logs: no SCRAM or store password appears in any process's log. */
    private static void assertNoPasswordInLogs(Path data) throws Exception {
        List<String> passwords;
        try (Stream<Path> files = Files.list(data.resolve("kafka-security"))) {
            passwords = files.filter(f -> f.toString().endsWith(".password")).map(f -> {
                try {
                    return Files.readString(f).strip();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(passwords).hasSize(4);
        try (Stream<Path> logs = Files.list(data.resolve("logs"))) {
            for (Path log : logs.toList()) {
                String content = Files.readString(log);
                assertThat(passwords).as("passwords in %s", log.getFileName()).noneMatch(content::contains);
            }
        }
    }
}
