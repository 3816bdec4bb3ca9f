package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.YamlTree.at;
import static dev.tokenlog.deploy.YamlTree.containers;
import static dev.tokenlog.deploy.YamlTree.list;
import static dev.tokenlog.deploy.YamlTree.map;
import static dev.tokenlog.deploy.YamlTree.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders deploy/k8s (base and the production overlay) offline with {@link Kustomize} and checks it with
 * {@link K8sChecks}; then breaks a rendered copy in named ways and checks that each break is reported, so
 * the checks themselves cannot silently pass everything.
 */
class ManifestsTest {
    private static final Path K8S = Path.of("k8s");

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/production"})
    void rendersWithoutProblems(String kustomization) throws IOException {
        List<Map<String, Object>> rendered = Kustomize.render(K8S.resolve(kustomization));

        assertThat(rendered).extracting(r -> r.get("kind") + "/" + name(r)).contains(
                "Deployment/llm-worker", "StatefulSet/stream-fanout", "Service/stream-fanout", "Service/llm-worker",
                "ConfigMap/tokenlog-config", "HorizontalPodAutoscaler/llm-worker", "HorizontalPodAutoscaler/stream-fanout",
                "PodDisruptionBudget/llm-worker", "PodDisruptionBudget/stream-fanout",
                "KafkaUser/tokenlog-worker", "KafkaUser/tokenlog-gateway");
        assertThat(K8sChecks.problems(rendered, secretTemplate(), adapterMetrics())).isEmpty();
    }

    @Test
    void productionHasMoreAndLargerPodsTwelvePartitionsAndReleasedImages() throws IOException {
        List<Map<String, Object>> base = Kustomize.render(K8S.resolve("base"));
        List<Map<String, Object>> production = Kustomize.render(K8S.resolve("overlays/production"));

        assertThat(production).allSatisfy(r -> assertThat(at(r, "metadata", "namespace")).isEqualTo("tokenlog"));
        assertThat(ofKind(production, "KafkaTopic")).hasSize(TokenlogTopics.ALL.size()).allSatisfy(t -> {
            assertThat(at(t, "spec", "partitions")).isEqualTo(12);
            assertThat(at(t, "spec", "replicas")).isEqualTo(3);
        });
        for (String app : List.of("llm-worker", "stream-fanout")) {
            Map<String, Object> small = workload(base, app);
            Map<String, Object> large = workload(production, app);
            assertThat((Integer) at(large, "spec", "replicas")).isGreaterThan((Integer) at(small, "spec", "replicas"));
            assertThat(at(containers(large).getFirst(), "resources", "requests", "cpu")).isEqualTo("2");
            assertThat(containers(large).getFirst().get("image")).isEqualTo("tokenlog/" + app + ":0.1.0");
            // The patch touched resources only: env, probes and ports of the base are all still there.
            assertThat(list(containers(large).getFirst().get("env")))
                    .hasSameSizeAs(list(containers(small).getFirst().get("env")));
            assertThat(containers(large).getFirst()).containsKeys("readinessProbe", "livenessProbe", "startupProbe", "ports");
        }
        assertThat(at(map(list(at(workload(production, "stream-fanout"), "spec", "volumeClaimTemplates")).getFirst()),
                "spec", "resources", "requests", "storage")).isEqualTo("200Gi");
    }

    @Test
    void productionRunsTheGatewayWithKeysOnAndHealthAndMetricsOnlyOnTheManagementPort() throws IOException {
        List<Map<String, Object>> production = Kustomize.render(K8S.resolve("overlays/production"));
        Map<String, Object> gateway = workload(production, "stream-fanout");

        assertThat(map(find(production, "ConfigMap", "tokenlog-config").get("data"))).containsEntry("auth-enabled", "true");
        assertThat(at(env(gateway, "TOKENLOG_AUTH_ENABLED"), "valueFrom", "configMapKeyRef", "key")).isEqualTo("auth-enabled");
        for (String secret : List.of("TOKENLOG_AUTH_KEYS", "TOKENLOG_GATEWAY_TOKEN_SECRET")) {
            assertThat(map(at(env(gateway, secret), "valueFrom", "secretKeyRef"))).as(secret)
                    .containsEntry("name", "tokenlog-secrets").doesNotContainKey("optional");
        }
        for (String app : List.of("llm-worker", "stream-fanout")) {
            Map<String, Object> container = containers(workload(production, app)).getFirst();
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                assertThat(at(container, probe, "httpGet", "port")).as("%s %s", app, probe).isEqualTo("management");
            }
        }
        assertThat(list(at(find(production, "Service", "stream-fanout"), "spec", "ports"))).as("client ports only")
                .extracting(p -> map(p).get("targetPort")).containsExactly("http");
        assertThat(K8sSecurityChecks.problems(production)).isEmpty();
    }

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Stream.concat(Files.walk(K8S), Files.walk(Path.of("compose")))) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : files) {
            assertThat(YamlTree.loadAll(file)).as(file.toString()).isNotEmpty();
        }
    }

    static Stream<Arguments> breakages() {
        return Stream.of(
                breakage("a topic without its KafkaTopic", "topic llm.stream-index has 0 KafkaTopic",
                        r -> r.removeIf(x -> "llm.stream-index".equals(at(x, "spec", "topicName")))),
                breakage("the stream index deleted instead of compacted", "cleanup.policy delete, the apps need compact",
                        r -> map(at(topic(r, "llm.stream-index"), "spec", "config")).put("cleanup.policy", "delete")),
                breakage("a Service selecting no pod", "Service stream-fanout: selector",
                        r -> map(at(find(r, "Service", "stream-fanout"), "spec", "selector")).put("app.kubernetes.io/name", "fanout")),
                breakage("a workload selector not matching its pods", "Deployment llm-worker: selector",
                        r -> map(at(find(r, "Deployment", "llm-worker"), "spec", "selector", "matchLabels")).put("tier", "x")),
                breakage("a readiness probe on the wrong path", "readinessProbe is not an HTTP GET of /q/health/ready",
                        r -> map(at(containers(find(r, "StatefulSet", "stream-fanout")).getFirst(), "readinessProbe", "httpGet"))
                                .put("path", "/health")),
                breakage("a liveness probe on an undeclared port", "livenessProbe port 9000 is not a declared container port",
                        r -> map(at(containers(find(r, "Deployment", "llm-worker")).getFirst(), "livenessProbe", "httpGet"))
                                .put("port", 9000)),
                breakage("an autoscaler aimed at a missing workload", "scaleTargetRef Deployment gateway does not exist",
                        r -> map(at(find(r, "HorizontalPodAutoscaler", "stream-fanout"), "spec", "scaleTargetRef"))
                                .putAll(Map.of("kind", "Deployment", "name", "gateway"))),
                breakage("more workers than request partitions", "exceeds the 6 partitions of llm.requests",
                        r -> map(at(find(r, "HorizontalPodAutoscaler", "llm-worker"), "spec")).put("maxReplicas", 7)),
                breakage("a budget matching no pod", "PodDisruptionBudget llm-worker: selector",
                        r -> map(at(find(r, "PodDisruptionBudget", "llm-worker"), "spec", "selector", "matchLabels"))
                                .put("app.kubernetes.io/name", "worker")),
                breakage("an env var reading a missing ConfigMap key", "reads ConfigMap tokenlog-config key registry-url",
                        r -> map(find(r, "ConfigMap", "tokenlog-config").get("data")).remove("registry-url")),
                breakage("a worker without the ACL to write chunks", "KafkaUser tokenlog-worker lacks ACLs WORKER needs: [topic:llm.chunks:literal:Write]",
                        r -> list(at(find(r, "KafkaUser", "tokenlog-worker"), "spec", "authorization", "acls")).stream().map(YamlTree::map)
                                .filter(a -> "llm.chunks".equals(at(a, "resource", "name"))).forEach(a -> a.put("operations", List.of("Read")))),
                breakage("a gateway allowed to write every topic", "KafkaUser tokenlog-gateway grants more than GATEWAY needs: [topic:*:literal:Write]",
                        r -> list(at(find(r, "KafkaUser", "tokenlog-gateway"), "spec", "authorization", "acls"))
                                .add(Map.of("resource", Map.of("type", "topic", "name", "*", "patternType", "literal"), "operations", List.of("Write")))),
                breakage("apps sharing one Kafka user", "KAFKA_SASL_JAAS_CONFIG must come from the Secret of its own KafkaUser",
                        r -> r.removeIf(x -> "KafkaUser".equals(x.get("kind")) && "tokenlog-gateway".equals(name(x)))),
                breakage("a plaintext Kafka client", "Kafka clients must use SASL_SSL",
                        r -> map(find(r, "ConfigMap", "tokenlog-config").get("data")).put("kafka-security-protocol", "PLAINTEXT")),
                breakage("a grace period shorter than the drain", "terminationGracePeriodSeconds 30 is shorter",
                        r -> map(at(find(r, "Deployment", "llm-worker"), "spec", "template", "spec"))
                                .put("terminationGracePeriodSeconds", 30)),
                breakage("a probe on the client port", "readinessProbe is not on the management port but on http",
                        r -> map(at(containers(find(r, "StatefulSet", "stream-fanout")).getFirst(), "readinessProbe", "httpGet"))
                                .put("port", "http")),
                breakage("metrics scraped from the client port", "prometheus.io/port 8090 is not the management port 9090",
                        r -> map(at(find(r, "Deployment", "llm-worker"), "spec", "template", "metadata", "annotations"))
                                .put("prometheus.io/port", "8090")),
                breakage("health and metrics back on the HTTP port", "QUARKUS_MANAGEMENT_PORT is the HTTP port",
                        r -> env(find(r, "StatefulSet", "stream-fanout"), "QUARKUS_MANAGEMENT_PORT").put("value", "8080")),
                breakage("the public Service exposing the management port", "Service stream-fanout exposes the management port",
                        r -> list(at(find(r, "Service", "stream-fanout"), "spec", "ports"))
                                .add(Map.of("name", "management", "port", 9080, "targetPort", "management"))),
                breakage("API keys off in the gateway", "TOKENLOG_AUTH_ENABLED is false, not true",
                        r -> map(find(r, "ConfigMap", "tokenlog-config").get("data")).put("auth-enabled", "false")),
                breakage("an optional token secret", "TOKENLOG_GATEWAY_TOKEN_SECRET must come from the Secret",
                        r -> map(at(env(find(r, "StatefulSet", "stream-fanout"), "TOKENLOG_GATEWAY_TOKEN_SECRET"),
                                "valueFrom", "secretKeyRef")).put("optional", true)),
                breakage("API keys inline instead of from the Secret", "TOKENLOG_AUTH_KEYS must come from the Secret",
                        r -> env(find(r, "StatefulSet", "stream-fanout"), "TOKENLOG_AUTH_KEYS").remove("valueFrom")),
                breakage("the mock provider switched on", "TOKENLOG_MOCK_ENABLED is true",
                        r -> list(containers(find(r, "Deployment", "llm-worker")).getFirst().get("env"))
                                .add(Map.of("name", "TOKENLOG_MOCK_ENABLED", "value", "true"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void reportsABrokenManifest(String what, String expectedProblem, Consumer<List<Map<String, Object>>> breakIt)
            throws IOException {
        List<Map<String, Object>> rendered = new java.util.ArrayList<>(Kustomize.render(K8S.resolve("base")));
        breakIt.accept(rendered);

        assertThat(K8sChecks.problems(rendered, secretTemplate(), adapterMetrics()))
                .anySatisfy(p -> assertThat(p).contains(expectedProblem));
    }

    @Test
    void reportsAnEnvVarReadingASecretKeyTheTemplateLacks() throws IOException {
        Map<String, Object> secret = secretTemplate();
        map(secret.get("stringData")).remove("gateway-token-secret");

        assertThat(K8sChecks.problems(Kustomize.render(K8S.resolve("base")), secret, adapterMetrics()))
                .anySatisfy(p -> assertThat(p).contains("TOKENLOG_GATEWAY_TOKEN_SECRET reads Secret tokenlog-secrets"));
    }

    private static Arguments breakage(String what, String expectedProblem, Consumer<List<Map<String, Object>>> breakIt) {
        return Arguments.of(what, expectedProblem, breakIt);
    }

    private static Map<String, Object> secretTemplate() throws IOException {
        return YamlTree.loadOne(K8S.resolve("base/secret.example.yaml"));
    }

    /** The metric names the Prometheus adapter rules expose ({@code name.as}). */
    private static Set<String> adapterMetrics() throws IOException {
        Map<String, Object> rules = YamlTree.loadOne(K8S.resolve("prometheus-adapter-rules.yaml"));
        return list(at(rules, "rules", "custom")).stream().map(r -> (String) at(map(r), "name", "as"))
                .collect(Collectors.toSet());
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> resources, String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    private static Map<String, Object> find(List<Map<String, Object>> resources, String kind, String name) {
        return ofKind(resources, kind).stream().filter(r -> name.equals(name(r))).findFirst().orElseThrow();
    }

    /** The (mutable) env entry {@code variable} of a workload's first container. */
    private static Map<String, Object> env(Map<String, Object> workload, String variable) {
        return list(containers(workload).getFirst().get("env")).stream().map(YamlTree::map)
                .filter(e -> variable.equals(e.get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> workload(List<Map<String, Object>> resources, String name) {
        return resources.stream().filter(r -> K8sChecks.WORKLOADS.contains(r.get("kind")) && name.equals(name(r)))
                .findFirst().orElseThrow();
    }

    private static Map<String, Object> topic(List<Map<String, Object>> resources, String topic) {
        return ofKind(resources, "KafkaTopic").stream().filter(t -> topic.equals(at(t, "spec", "topicName")))
                .findFirst().orElseThrow();
    }
}
