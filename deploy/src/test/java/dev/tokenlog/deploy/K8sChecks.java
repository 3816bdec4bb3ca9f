package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.YamlTree.at;
import static dev.tokenlog.deploy.YamlTree.containers;
import static dev.tokenlog.deploy.YamlTree.list;
import static dev.tokenlog.deploy.YamlTree.map;
import static dev.tokenlog.deploy.YamlTree.name;

import dev.tokenlog.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a rendered set of tokenlog Kubernetes manifests must satisfy, as a list of problems (empty when
 * all is well), so a test can check both the real manifests and deliberately broken copies of them.
 * Covers what a cluster would reject or silently get wrong: missing identity fields, selectors that
 * match no pod, probes on the wrong path or port, autoscalers and budgets aimed at nothing, env vars
 * naming a ConfigMap or Secret key that does not exist, and topics missing or with another cleanup policy.
 */
final class K8sChecks {
    static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet");

    private final List<Map<String, Object>> resources;
    private final Map<String, Object> secretTemplate;
    private final Set<String> adapterMetrics;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param resources      the rendered manifests
     * @param secretTemplate the Secret the cluster is expected to hold (secret.example.yaml)
     * @param adapterMetrics Pods metric names the Prometheus adapter serves
     */
    private K8sChecks(List<Map<String, Object>> resources, Map<String, Object> secretTemplate, Set<String> adapterMetrics) {
        this.resources = resources;
        this.secretTemplate = secretTemplate;
        this.adapterMetrics = adapterMetrics;
    }

    static List<String> problems(List<Map<String, Object>> resources, Map<String, Object> secretTemplate,
                                 Set<String> adapterMetrics) {
        K8sChecks checks = new K8sChecks(resources, secretTemplate, adapterMetrics);
        checks.run();
        return checks.problems;
    }

    private void run() {
        resources.forEach(this::identity);
        ofKind("Secret").forEach(s -> problem("Secret " + name(s) + " is rendered: real keys must never be in the manifests"));
        workloads().forEach(this::workload);
        ofKind("Service").forEach(s -> selects("Service " + name(s), map(at(s, "spec", "selector"))));
        ofKind("PodDisruptionBudget").forEach(p -> selects("PodDisruptionBudget " + name(p), map(at(p, "spec", "selector", "matchLabels"))));
        ofKind("HorizontalPodAutoscaler").forEach(this::autoscaler);
        topics();
        Map<String, Object> config = ofKind("ConfigMap").stream().filter(m -> name(m).equals("tokenlog-config"))
                .findFirst().orElse(Map.of());
        problems.addAll(KafkaUserChecks.problems(resources, config));
        problems.addAll(K8sSecurityChecks.problems(resources));
    }

    private void identity(Map<String, Object> r) {
        for (String field : List.of("apiVersion", "kind")) {
            if (!(r.get(field) instanceof String s) || s.isBlank()) {
                problem("a resource has no " + field + ": " + r);
            }
        }
        if (!(at(r, "metadata", "name") instanceof String)) {
            problem(r.get("kind") + " without metadata.name");
        }
    }

    private void workload(Map<String, Object> w) {
        String id = w.get("kind") + " " + name(w);
        Map<String, Object> podLabels = map(at(w, "spec", "template", "metadata", "labels"));
        Map<String, Object> selector = map(at(w, "spec", "selector", "matchLabels"));
        if (selector.isEmpty() || !podLabels.entrySet().containsAll(selector.entrySet())) {
            problem(id + ": selector " + selector + " does not match its pod labels " + podLabels);
        }
        if (containers(w).isEmpty()) {
            problem(id + " has no containers");
        }
        for (Map<String, Object> c : containers(w)) {
            String cid = id + " container " + c.get("name");
            probe(cid, c, "readinessProbe", "/q/health/ready");
            probe(cid, c, "livenessProbe", "/q/health/live");
            probe(cid, c, "startupProbe", "/q/health/started");
            for (String path : List.of("requests.cpu", "requests.memory", "limits.memory")) {
                if (at(map(c.get("resources")), path.split("\\.")) == null) {
                    problem(cid + ": no resources." + path);
                }
            }
            if (!String.valueOf(c.get("image")).matches("[^:@]+(:[^:/]+|@.+)")) {
                problem(cid + ": image " + c.get("image") + " has no tag");
            }
            list(c.get("env")).forEach(e -> envReference(cid, map(e)));
        }
    }

    private void probe(String cid, Map<String, Object> container, String kind, String path) {
        Map<String, Object> get = map(at(container, kind, "httpGet"));
        if (!path.equals(get.get("path"))) {
            problem(cid + ": " + kind + " is not an HTTP GET of " + path + " but " + container.get(kind));
        }
        if (!declaresPort(container, get.get("port"))) {
            problem(cid + ": " + kind + " port " + get.get("port") + " is not a declared container port");
        }
    }

    private static boolean declaresPort(Map<String, Object> container, Object port) {
        return list(container.get("ports")).stream().map(YamlTree::map)
                .anyMatch(p -> p.get("name").equals(port) || p.get("containerPort").equals(port));
    }

    private void envReference(String cid, Map<String, Object> env) {
        Map<String, Object> fromConfig = map(at(env, "valueFrom", "configMapKeyRef"));
        Map<String, Object> fromSecret = map(at(env, "valueFrom", "secretKeyRef"));
        if (!fromConfig.isEmpty()) {
            Optional<Map<String, Object>> config = ofKind("ConfigMap").stream()
                    .filter(m -> name(m).equals(fromConfig.get("name"))).findFirst();
            if (config.isEmpty() || !map(config.get().get("data")).containsKey((String) fromConfig.get("key"))) {
                problem(cid + ": env " + env.get("name") + " reads ConfigMap " + fromConfig.get("name")
                        + " key " + fromConfig.get("key") + ", which does not exist");
            }
        }
        if (!fromSecret.isEmpty() && !KafkaUserChecks.strimziSecret(resources, fromSecret.get("name"), fromSecret.get("key"))) {
            if (!name(secretTemplate).equals(fromSecret.get("name"))
                    || !map(secretTemplate.get("stringData")).containsKey((String) fromSecret.get("key"))) {
                problem(cid + ": env " + env.get("name") + " reads Secret " + fromSecret.get("name") + " key "
                        + fromSecret.get("key") + ", which the Secret template does not have");
            }
        }
        if (env.containsKey("value") && String.valueOf(env.get("name")).matches(".*(API_KEY|SECRET|PASSWORD|AUTH_KEYS).*")) {
            problem(cid + ": env " + env.get("name") + " is set inline; secrets come from the Secret");
        }
    }

    private void selects(String id, Map<String, Object> selector) {
        boolean matched = !selector.isEmpty() && workloads().stream()
                .anyMatch(w -> map(at(w, "spec", "template", "metadata", "labels")).entrySet().containsAll(selector.entrySet()));
        if (!matched) {
            problem(id + ": selector " + selector + " matches the pods of no Deployment or StatefulSet");
        }
    }

    private void autoscaler(Map<String, Object> hpa) {
        String id = "HorizontalPodAutoscaler " + name(hpa);
        Map<String, Object> ref = map(at(hpa, "spec", "scaleTargetRef"));
        boolean exists = workloads().stream().anyMatch(w -> w.get("kind").equals(ref.get("kind")) && name(w).equals(ref.get("name")));
        if (!exists) {
            problem(id + ": scaleTargetRef " + ref.get("kind") + " " + ref.get("name") + " does not exist");
        }
        if (!(at(hpa, "spec", "minReplicas") instanceof Integer min) || !(at(hpa, "spec", "maxReplicas") instanceof Integer max)
                || min > max || min < 2) {
            problem(id + ": needs 2 <= minReplicas <= maxReplicas, has " + at(hpa, "spec", "minReplicas") + ".."
                    + at(hpa, "spec", "maxReplicas"));
        }
        for (Object metric : list(at(hpa, "spec", "metrics"))) {
            Object metricName = at(map(metric), "pods", "metric", "name");
            if (!"Pods".equals(map(metric).get("type")) || !adapterMetrics.contains(metricName)) {
                problem(id + ": metric " + metricName + " is not a Pods metric the Prometheus adapter serves");
            }
        }
    }

    private void topics() {
        for (String topic : TokenlogTopics.ALL) {
            List<Map<String, Object>> found = ofKind("KafkaTopic").stream()
                    .filter(t -> topic.equals(Optional.ofNullable(at(t, "spec", "topicName")).orElse(name(t)))).toList();
            if (found.size() != 1) {
                problem("topic " + topic + " has " + found.size() + " KafkaTopic resources, not 1");
                continue;
            }
            Map<String, Object> t = found.getFirst();
            Map<String, Object> config = map(at(t, "spec", "config"));
            String policy = TokenlogTopics.cleanupPolicy(topic);
            if (!"kafka.strimzi.io/v1beta2".equals(t.get("apiVersion")) || at(t, "metadata", "labels", "strimzi.io/cluster") == null) {
                problem("KafkaTopic " + topic + " needs apiVersion kafka.strimzi.io/v1beta2 and the label strimzi.io/cluster");
            }
            if (!policy.equals(config.get("cleanup.policy"))) {
                problem("KafkaTopic " + topic + " has cleanup.policy " + config.get("cleanup.policy") + ", the apps need " + policy);
            }
            if (policy.equals("delete") && !(config.get("retention.ms") instanceof Number ms
                    && ms.longValue() >= TokenlogTopics.RETENTION.toMillis())) {
                problem("KafkaTopic " + topic + " keeps records less than " + TokenlogTopics.RETENTION.toDays() + " days");
            }
            String maxBytes = TokenlogTopics.configs(topic).get("max.message.bytes");
            if (maxBytes != null && !maxBytes.equals(String.valueOf(config.get("max.message.bytes")))) {
                problem("KafkaTopic " + topic + " has max.message.bytes " + config.get("max.message.bytes") + ", the apps need " + maxBytes);
            }
            if (!Integer.valueOf(3).equals(at(t, "spec", "replicas")) || !Integer.valueOf(2).equals(config.get("min.insync.replicas"))) {
                problem("KafkaTopic " + topic + " needs 3 replicas and min.insync.replicas 2");
            }
        }
        workerLimits();
    }

    /** Workers beyond the llm.requests partitions would sit idle; the grace period must cover the drain. */
    private void workerLimits() {
        Object partitions = ofKind("KafkaTopic").stream().filter(t -> Topics.REQUESTS.equals(at(t, "spec", "topicName")))
                .findFirst().map(t -> at(t, "spec", "partitions")).orElse(null);
        for (Map<String, Object> hpa : ofKind("HorizontalPodAutoscaler")) {
            if ("llm-worker".equals(at(hpa, "spec", "scaleTargetRef", "name")) && partitions instanceof Integer p
                    && at(hpa, "spec", "maxReplicas") instanceof Integer max && max > p) {
                problem("HorizontalPodAutoscaler " + name(hpa) + ": maxReplicas " + max + " exceeds the " + p
                        + " partitions of " + Topics.REQUESTS);
            }
        }
        workloads().stream().filter(w -> name(w).equals("llm-worker")).forEach(w -> {
            Duration drain = containers(w).stream().flatMap(c -> list(c.get("env")).stream()).map(YamlTree::map)
                    .filter(e -> "TOKENLOG_WORKER_DRAIN_TIMEOUT".equals(e.get("name")))
                    .map(e -> Duration.parse("PT" + e.get("value"))).findFirst().orElse(Duration.ofSeconds(30));
            Object grace = at(w, "spec", "template", "spec", "terminationGracePeriodSeconds");
            // RequestConsumer waits the drain timeout plus 10 s for its loop before it gives up.
            if (!(grace instanceof Integer g) || g < drain.toSeconds() + 10) {
                problem("llm-worker: terminationGracePeriodSeconds " + grace + " is shorter than the drain ("
                        + drain.toSeconds() + " s) plus 10 s");
            }
        });
    }

    private List<Map<String, Object>> workloads() {
        return resources.stream().filter(r -> WORKLOADS.contains(r.get("kind"))).toList();
    }

    private List<Map<String, Object>> ofKind(String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    private void problem(String text) {
        problems.add(text);
    }
}
