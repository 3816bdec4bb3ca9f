package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.YamlTree.at;
import static dev.tokenlog.deploy.YamlTree.containers;
import static dev.tokenlog.deploy.YamlTree.list;
import static dev.tokenlog.deploy.YamlTree.map;
import static dev.tokenlog.deploy.YamlTree.name;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What keeps rendered tokenlog manifests secure by default, as a list of problems: health and metrics only
 * on each app's management port (probes and the Prometheus annotation there, no Service in front of the
 * gateway exposing it), API keys on in the gateway with its keys and token secret taken from the Secret
 * (never optional), and the development mock provider never switched on.
 */
final class K8sSecurityChecks {
    static final String MANAGEMENT = "management";
    private static final String GATEWAY = "stream-fanout";

    private final List<Map<String, Object>> resources;
    private final List<String> problems = new ArrayList<>();

    private K8sSecurityChecks(List<Map<String, Object>> resources) {
        this.resources = resources;
    }

    static List<String> problems(List<Map<String, Object>> resources) {
        K8sSecurityChecks checks = new K8sSecurityChecks(resources);
        checks.run();
        return checks.problems;
    }

    private void run() {
        for (Map<String, Object> w : workloads()) {
            for (Map<String, Object> c : containers(w)) {
                String cid = w.get("kind") + " " + name(w) + " container " + c.get("name");
                managementPort(cid, w, c);
                if ("true".equalsIgnoreCase(String.valueOf(env(c, "TOKENLOG_MOCK_ENABLED")))) {
                    problems.add(cid + ": TOKENLOG_MOCK_ENABLED is true; the mock provider is for development only");
                }
                if (name(w).equals(GATEWAY)) {
                    gatewayAuth(cid, c);
                }
            }
        }
        for (Map<String, Object> service : ofKind("Service")) {
            Map<String, Object> selector = map(at(service, "spec", "selector"));
            if (!GATEWAY.equals(selector.get("app.kubernetes.io/name"))) {
                continue;
            }
            for (Object port : list(at(service, "spec", "ports"))) {
                Object target = map(port).get("targetPort");
                if (MANAGEMENT.equals(target) || Objects.equals(target, gatewayManagementPort())) {
                    problems.add("Service " + name(service) + " exposes the management port of " + GATEWAY
                            + " (/q/health, /q/metrics): only the kubelet and Prometheus reach it, on the pod");
                }
            }
        }
    }

    /** A declared port named management, the app listening there, every probe and the scrape annotation on it. */
    private void managementPort(String cid, Map<String, Object> workload, Map<String, Object> container) {
        Object declared = port(container, MANAGEMENT);
        Object configured = env(container, "QUARKUS_MANAGEMENT_PORT");
        if (declared == null || !String.valueOf(declared).equals(String.valueOf(configured))) {
            problems.add(cid + ": needs a container port named management equal to QUARKUS_MANAGEMENT_PORT (declared "
                    + declared + ", QUARKUS_MANAGEMENT_PORT " + configured + ")");
        }
        if (String.valueOf(configured).equals(String.valueOf(env(container, "QUARKUS_HTTP_PORT")))) {
            problems.add(cid + ": QUARKUS_MANAGEMENT_PORT is the HTTP port; health and metrics need a port of their own");
        }
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Object port = at(container, probe, "httpGet", "port");
            if (!MANAGEMENT.equals(port) && !Objects.equals(port, declared)) {
                problems.add(cid + ": " + probe + " is not on the management port but on " + port);
            }
        }
        Object scrape = at(workload, "spec", "template", "metadata", "annotations", "prometheus.io/port");
        if (scrape != null && !String.valueOf(scrape).equals(String.valueOf(declared))) {
            problems.add(cid + ": prometheus.io/port " + scrape + " is not the management port " + declared);
        }
    }

    /** API keys on, keys and token secret from the Secret, not optional. */
    private void gatewayAuth(String id, Map<String, Object> container) {
        if (!"true".equals(String.valueOf(env(container, "TOKENLOG_AUTH_ENABLED")))) {
            problems.add(id + ": TOKENLOG_AUTH_ENABLED is " + env(container, "TOKENLOG_AUTH_ENABLED")
                    + ", not true: every client must present an API key");
        }
        for (String variable : List.of("TOKENLOG_AUTH_KEYS", "TOKENLOG_GATEWAY_TOKEN_SECRET")) {
            Map<String, Object> ref = map(at(envEntry(container, variable), "valueFrom", "secretKeyRef"));
            if (ref.isEmpty() || Boolean.TRUE.equals(ref.get("optional"))) {
                problems.add(id + ": " + variable + " must come from the Secret, and not optionally: " + envEntry(container, variable));
            }
        }
    }

    /** The value a container's env var resolves to: inline, or from the rendered ConfigMap; null if unset. */
    private Object env(Map<String, Object> container, String variable) {
        Map<String, Object> entry = envEntry(container, variable);
        if (entry.containsKey("value")) {
            return entry.get("value");
        }
        Map<String, Object> ref = map(at(entry, "valueFrom", "configMapKeyRef"));
        return ofKind("ConfigMap").stream().filter(m -> name(m).equals(ref.get("name")))
                .map(m -> map(m.get("data")).get(String.valueOf(ref.get("key")))).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static Map<String, Object> envEntry(Map<String, Object> container, String variable) {
        return list(container.get("env")).stream().map(YamlTree::map).filter(e -> variable.equals(e.get("name")))
                .findFirst().orElse(Map.of());
    }

    private static Object port(Map<String, Object> container, String portName) {
        return list(container.get("ports")).stream().map(YamlTree::map).filter(p -> portName.equals(p.get("name")))
                .map(p -> p.get("containerPort")).findFirst().orElse(null);
    }

    private Object gatewayManagementPort() {
        return workloads().stream().filter(w -> name(w).equals(GATEWAY)).flatMap(w -> containers(w).stream())
                .map(c -> port(c, MANAGEMENT)).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private List<Map<String, Object>> workloads() {
        return resources.stream().filter(r -> K8sChecks.WORKLOADS.contains(r.get("kind"))).toList();
    }

    private List<Map<String, Object>> ofKind(String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }
}
