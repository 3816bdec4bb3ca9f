package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.YamlTree.at;
import static dev.tokenlog.deploy.YamlTree.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks deploy/compose offline (no container engine here) with {@link ComposeChecks}, then breaks a
 * parsed copy in named ways and checks that each break is reported.
 */
class ComposeFileTest {
    private static final Path COMPOSE = Path.of("compose");

    @Test
    void composeFileHasNoProblems() throws IOException {
        assertThat(ComposeChecks.problems(compose(), topicScript(), COMPOSE)).isEmpty();
    }

    @Test
    void secretsTemplateNamesTheTokenSecretAndHoldsNoValues() throws IOException {
        var lines = Files.readAllLines(COMPOSE.resolve("secrets.env.example")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();

        assertThat(lines).contains("TOKENLOG_GATEWAY_TOKEN_SECRET=", "TOKENLOG_AUTH_KEYS=", "TOKENLOG_PROVIDERS_OPENAI_API_KEY=")
                .allSatisfy(l -> assertThat(l).endsWith("="));
        assertThat(Files.readString(COMPOSE.resolve(".gitignore"))).contains("secrets.env");
    }

    static Stream<Arguments> breakages() {
        return Stream.of(
                breakage("a topic the script does not create", "does not create llm.stream-index",
                        c -> {}, s -> s.replaceFirst("(?m)^create llm.stream-index", "# create llm.stream-index")),
                breakage("a topic with another cleanup policy", "creates llm.answers with cleanup.policy compact",
                        c -> {}, s -> s.replaceFirst("(?m)^create llm.answers\\s+delete", "create llm.answers compact")),
                breakage("a dependency on a missing service", "stream-fanout-2 depends on llm-worker-3, which is not a service",
                        c -> map(at(c, "services", "stream-fanout-2", "depends_on")).put("llm-worker-3",
                                Map.of("condition", "service_healthy")), s -> s),
                breakage("waiting for health of a service without a health check", "waits for registry to be healthy",
                        c -> map(at(c, "services", "registry")).remove("healthcheck"), s -> s),
                breakage("an app health check on another port", "llm-worker-2: health check does not ask /q/health/ready on port 9091",
                        c -> map(at(c, "services", "llm-worker-2", "environment")).put("QUARKUS_MANAGEMENT_PORT", 9091), s -> s),
                breakage("health and metrics back on the HTTP port", "llm-worker-1: QUARKUS_MANAGEMENT_PORT is null",
                        c -> map(at(c, "services", "llm-worker-1", "environment")).remove("QUARKUS_MANAGEMENT_PORT"), s -> s),
                breakage("the management port published", "stream-fanout-1: publishes the management port 9080",
                        c -> YamlTree.<Object>list(at(c, "services", "stream-fanout-1", "ports")).add("9080:9080"), s -> s),
                breakage("API keys off on a gateway", "stream-fanout-1: TOKENLOG_AUTH_ENABLED is null, not true",
                        c -> map(at(c, "services", "stream-fanout-1", "environment")).remove("TOKENLOG_AUTH_ENABLED"), s -> s),
                breakage("the mock provider switched on", "llm-worker-1: TOKENLOG_MOCK_ENABLED is true",
                        c -> map(at(c, "services", "llm-worker-1", "environment")).put("TOKENLOG_MOCK_ENABLED", "true"), s -> s),
                breakage("a provider key inline", "TOKENLOG_PROVIDERS_OPENAI_API_KEY is set inline",
                        c -> map(at(c, "services", "llm-worker-1", "environment"))
                                .put("TOKENLOG_PROVIDERS_OPENAI_API_KEY", "sk-test"), s -> s),
                breakage("a fold with single-replica internal topics", "KAFKA_STREAMS_REPLICATION_FACTOR must be 3",
                        c -> map(at(c, "services", "stream-fanout-1", "environment")).remove("KAFKA_STREAMS_REPLICATION_FACTOR"),
                        s -> s),
                breakage("a broker missing from the quorum", "KAFKA_CONTROLLER_QUORUM_VOTERS lacks 3@kafka-3:9093",
                        c -> map(at(c, "services", "kafka-1", "environment"))
                                .put("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093"), s -> s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void reportsABrokenComposeFile(String what, String expectedProblem, Consumer<Map<String, Object>> breakCompose,
                                   java.util.function.UnaryOperator<String> breakScript) throws IOException {
        Map<String, Object> compose = compose();
        breakCompose.accept(compose);
        String script = breakScript.apply(topicScript());

        assertThat(ComposeChecks.problems(compose, script, COMPOSE)).anySatisfy(p -> assertThat(p).contains(expectedProblem));
    }

    private static Arguments breakage(String what, String expectedProblem, Consumer<Map<String, Object>> breakCompose,
                                      java.util.function.UnaryOperator<String> breakScript) {
        return Arguments.of(what, expectedProblem, breakCompose, breakScript);
    }

    private static Map<String, Object> compose() throws IOException {
        return YamlTree.loadOne(COMPOSE.resolve("compose.yaml"));
    }

    private static String topicScript() throws IOException {
        return Files.readString(COMPOSE.resolve("create-topics.sh"));
    }
}
