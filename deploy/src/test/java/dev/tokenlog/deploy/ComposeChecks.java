package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.YamlTree.at;
import static dev.tokenlog.deploy.YamlTree.list;
import static dev.tokenlog.deploy.YamlTree.map;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * What deploy/compose/compose.yaml and its topic script must satisfy, as a list of problems (empty when
 * all is well): three KRaft nodes of the Kafka version the project builds with, the registry, two instances
 * of each app with health checks on their management port (never published), API keys on in the gateways,
 * the mock provider off, dependencies on services that exist and can satisfy the condition, secrets only
 * from the env file, and every topic created with the apps' cleanup policy.
 */
final class ComposeChecks {
    static final String REGISTRY_IMAGE = "apicurio/apicurio-registry:3.3.3";
    /** {@code create <topic> <cleanup.policy> [config=value...]} lines of create-topics.sh. */
    private static final Pattern CREATE = Pattern.compile("(?m)^create\\s+(\\S+)\\s+(\\S+)(.*)$");
    private static final Pattern RETENTION = Pattern.compile("retention\\.ms=\\$?(\\w+)");
    private static final Pattern VARIABLE = Pattern.compile("(?m)^([A-Z_]+)=(\\d+)$");

    private final Map<String, Object> services;
    private final String topicScript;
    private final Path composeDir;
    private final List<String> problems = new ArrayList<>();

    private ComposeChecks(Map<String, Object> compose, String topicScript, Path composeDir) {
        this.services = map(compose.get("services"));
        this.topicScript = topicScript;
        this.composeDir = composeDir;
    }

    static List<String> problems(Map<String, Object> compose, String topicScript, Path composeDir) {
        ComposeChecks checks = new ComposeChecks(compose, topicScript, composeDir);
        checks.run();
        return checks.problems;
    }

    private void run() {
        List<String> brokers = withImage("apache/kafka:" + AppInfoParser.getVersion()).stream()
                .filter(s -> at(service(s), "environment", "KAFKA_NODE_ID") != null).toList();
        if (brokers.size() != 3) {
            problems.add("expected 3 Kafka nodes of apache/kafka:" + AppInfoParser.getVersion() + ", found " + brokers);
        }
        brokers.forEach(b -> broker(b, brokers));
        if (withImage(REGISTRY_IMAGE).size() != 1) {
            problems.add("expected one registry of " + REGISTRY_IMAGE);
        }
        for (String app : List.of("tokenlog/llm-worker", "tokenlog/stream-fanout")) {
            List<String> instances = withImage(app + ":");
            if (instances.size() != 2) {
                problems.add("expected 2 instances of " + app + ", found " + instances);
            }
            instances.forEach(s -> app(s, brokers));
        }
        services.keySet().forEach(this::dependencies);
        services.forEach((name, s) -> map(map(s).get("environment")).forEach((key, value) -> {
            if (key.matches(".*(API_KEY|SECRET|PASSWORD|AUTH_KEYS).*")) {
                problems.add(name + ": " + key + " is set inline; secrets come from secrets.env");
            }
        }));
        topics();
    }

    private void broker(String name, List<String> brokers) {
        Map<String, Object> env = map(at(service(name), "environment"));
        String voters = String.valueOf(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
        for (String other : brokers) {
            Object id = at(service(other), "environment", "KAFKA_NODE_ID");
            if (!voters.contains(id + "@" + other + ":9093")) {
                problems.add(name + ": KAFKA_CONTROLLER_QUORUM_VOTERS lacks " + id + "@" + other + ":9093");
            }
        }
        if (!String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("//" + name + ":9092")) {
            problems.add(name + ": advertises " + env.get("KAFKA_ADVERTISED_LISTENERS") + ", not its own name");
        }
        if (!Integer.valueOf(2).equals(env.get("KAFKA_MIN_INSYNC_REPLICAS"))
                || !Integer.valueOf(3).equals(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR"))) {
            problems.add(name + ": needs default replication factor 3 and min.insync.replicas 2");
        }
    }

    private void app(String name, List<String> brokers) {
        Map<String, Object> s = service(name);
        Map<String, Object> env = map(s.get("environment"));
        String bootstrap = String.valueOf(env.get("KAFKA_BOOTSTRAP_SERVERS"));
        brokers.stream().filter(b -> !bootstrap.contains(b + ":9092"))
                .forEach(b -> problems.add(name + ": KAFKA_BOOTSTRAP_SERVERS lacks " + b + ":9092"));
        String registry = withImage(REGISTRY_IMAGE).stream().findFirst().orElse("registry");
        if (!String.valueOf(env.get("TOKENLOG_REGISTRY_URL")).equals("http://" + registry + ":8080/apis/ccompat/v7")) {
            problems.add(name + ": TOKENLOG_REGISTRY_URL is " + env.get("TOKENLOG_REGISTRY_URL"));
        }
        managementPort(name, s, env);
        if ("true".equalsIgnoreCase(String.valueOf(env.get("TOKENLOG_MOCK_ENABLED")))) {
            problems.add(name + ": TOKENLOG_MOCK_ENABLED is true; the mock provider is for development only");
        }
        if (list(s.get("env_file")).stream().noneMatch(f -> "secrets.env".equals(at(map(f), "path")))) {
            problems.add(name + ": takes no env_file secrets.env");
        }
        Path context = composeDir.resolve(String.valueOf(at(s, "build", "context"))).normalize();
        if (!Files.isRegularFile(context.resolve(String.valueOf(at(s, "build", "dockerfile"))))
                || !Files.isDirectory(context.resolve(String.valueOf(at(s, "build", "args", "APP"))))) {
            problems.add(name + ": build names a Dockerfile or app module that does not exist: " + s.get("build"));
        }
        if (String.valueOf(s.get("image")).startsWith("tokenlog/stream-fanout")
                && !"true".equals(String.valueOf(env.get("TOKENLOG_AUTH_ENABLED")))) {
            problems.add(name + ": TOKENLOG_AUTH_ENABLED is " + env.get("TOKENLOG_AUTH_ENABLED")
                    + ", not true: every client must present an API key");
        }
        if (String.valueOf(s.get("image")).startsWith("tokenlog/stream-fanout")) {
            if (!"3".equals(String.valueOf(env.get("KAFKA_STREAMS_REPLICATION_FACTOR")))) {
                problems.add(name + ": KAFKA_STREAMS_REPLICATION_FACTOR must be 3 on a 3-node cluster");
            }
            String stateDir = String.valueOf(env.get("TOKENLOG_STATE_DIR"));
            if (list(s.get("volumes")).stream().noneMatch(v -> stateDir.startsWith(String.valueOf(v).split(":")[1]))) {
                problems.add(name + ": TOKENLOG_STATE_DIR " + stateDir + " is not on a volume");
            }
        }
    }

    /** Health and metrics on a management port of their own: the health check asks it, nothing publishes it. */
    private void managementPort(String name, Map<String, Object> s, Map<String, Object> env) {
        Object management = env.get("QUARKUS_MANAGEMENT_PORT");
        if (management == null || String.valueOf(management).equals(String.valueOf(env.get("QUARKUS_HTTP_PORT")))) {
            problems.add(name + ": QUARKUS_MANAGEMENT_PORT is " + management + "; health and metrics need a port of their own");
        }
        String health = String.join(" ", YamlTree.<String>list(at(s, "healthcheck", "test")));
        for (String path : List.of("/q/health/ready", "/q/health/live")) {
            if (!health.contains("localhost:" + management + path)) {
                problems.add(name + ": health check does not ask " + path + " on port " + management);
            }
        }
        for (Object published : list(s.get("ports"))) {
            String[] parts = String.valueOf(published).split(":");
            if (parts[parts.length - 1].equals(String.valueOf(management))) {
                problems.add(name + ": publishes the management port " + management + " (" + published + ")");
            }
        }
    }

    private void dependencies(String name) {
        map(service(name).get("depends_on")).forEach((target, spec) -> {
            String condition = String.valueOf(map(spec).get("condition"));
            if (!services.containsKey(target)) {
                problems.add(name + " depends on " + target + ", which is not a service");
            } else if (condition.equals("service_healthy") && at(service(target), "healthcheck", "test") == null) {
                problems.add(name + " waits for " + target + " to be healthy, but it has no healthcheck");
            } else if (condition.equals("service_completed_successfully") && !"no".equals(service(target).get("restart"))) {
                problems.add(name + " waits for " + target + " to complete, but it restarts");
            } else if (!List.of("service_healthy", "service_completed_successfully", "service_started").contains(condition)) {
                problems.add(name + " depends on " + target + " with no valid condition: " + spec);
            }
        });
        if (!"no".equals(service(name).get("restart")) && at(service(name), "healthcheck", "test") == null) {
            problems.add(name + " has no healthcheck");
        }
    }

    private void topics() {
        Map<String, Long> variables = new HashMap<>();
        Matcher v = VARIABLE.matcher(topicScript);
        while (v.find()) {
            variables.put(v.group(1), Long.parseLong(v.group(2)));
        }
        Map<String, Creation> created = new HashMap<>();
        Matcher m = CREATE.matcher(topicScript);
        while (m.find()) {
            created.put(m.group(1), new Creation(m.group(2), m.group(3)));
        }
        for (String topic : TokenlogTopics.ALL) {
            Creation line = created.get(topic);
            if (line == null) {
                problems.add("create-topics.sh does not create " + topic);
                continue;
            }
            String policy = TokenlogTopics.cleanupPolicy(topic);
            if (!line.policy().equals(policy)) {
                problems.add("create-topics.sh creates " + topic + " with cleanup.policy " + line.policy() + ", the apps need " + policy);
            }
            String maxBytes = TokenlogTopics.configs(topic).get("max.message.bytes");
            if (maxBytes != null && !line.configs().contains("max.message.bytes=" + maxBytes)) {
                problems.add("create-topics.sh creates " + topic + " without max.message.bytes=" + maxBytes);
            }
            Matcher retention = RETENTION.matcher(line.configs());
            long ms = retention.find() ? variables.getOrDefault(retention.group(1), parse(retention.group(1))) : -1;
            if (policy.equals("delete") && ms < TokenlogTopics.RETENTION.toMillis()) {
                problems.add("create-topics.sh keeps " + topic + " less than " + TokenlogTopics.RETENTION.toDays() + " days");
            }
        }
        if (!topicScript.contains("--replication-factor 3") || !topicScript.contains("min.insync.replicas=2")) {
            problems.add("create-topics.sh must create topics with replication factor 3 and min.insync.replicas=2");
        }
        if (list(at(service("topic-setup"), "volumes")).stream().noneMatch(s -> String.valueOf(s).startsWith("./create-topics.sh:"))) {
            problems.add("topic-setup does not mount create-topics.sh");
        }
    }

    /** One {@code create} line: the policy and the rest of its configs. */
    private record Creation(String policy, String configs) {}

    private static long parse(String number) {
        return number.matches("\\d+") ? Long.parseLong(number) : -1;
    }

    private List<String> withImage(String prefix) {
        return services.keySet().stream().filter(s -> String.valueOf(service(s).get("image")).startsWith(prefix)).toList();
    }

    private Map<String, Object> service(String name) {
        return map(services.get(name));
    }
}
