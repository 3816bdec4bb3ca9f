package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.YamlTree.at;
import static dev.tokenlog.deploy.YamlTree.containers;
import static dev.tokenlog.deploy.YamlTree.list;
import static dev.tokenlog.deploy.YamlTree.map;
import static dev.tokenlog.deploy.YamlTree.name;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Kafka security of rendered manifests: each app connects with SASL_SSL as a Strimzi {@code KafkaUser} of
 * its own (SCRAM-SHA-512, simple authorization), trusts the cluster CA, and its user's ACLs are exactly
 * {@link TokenlogAcls#of} its app: no rule missing (the app would fail) and none extra (least privilege).
 */
final class KafkaUserChecks {
    /** The Secret in which Strimzi publishes the CA of the cluster "tokenlog". */
    static final String CLUSTER_CA_SECRET = "tokenlog-cluster-ca-cert";
    static final Map<String, TokenlogAcls.App> APPS = Map.of(
            "llm-worker", TokenlogAcls.App.WORKER, "stream-fanout", TokenlogAcls.App.GATEWAY);

    private KafkaUserChecks() {}

    /** Whether {@code secret}/{@code key} is one Strimzi creates: a KafkaUser's credentials or the cluster CA. */
    static boolean strimziSecret(List<Map<String, Object>> resources, Object secret, Object key) {
        boolean user = resources.stream().anyMatch(r -> "KafkaUser".equals(r.get("kind")) && name(r).equals(secret));
        return (user && Set.of("password", "sasl.jaas.config").contains(key))
                || (CLUSTER_CA_SECRET.equals(secret) && "ca.crt".equals(key));
    }

    static List<String> problems(List<Map<String, Object>> resources, Map<String, Object> config) {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> w : resources) {
            TokenlogAcls.App app = APPS.get(name(w));
            if (!K8sChecks.WORKLOADS.contains(w.get("kind")) || app == null) {
                continue;
            }
            String id = w.get("kind") + " " + name(w);
            Map<String, Map<String, Object>> env = new java.util.HashMap<>();
            containers(w).forEach(c -> list(c.get("env")).forEach(e -> env.put((String) map(e).get("name"), map(e))));
            if (!"SASL_SSL".equals(value(env.get("KAFKA_SECURITY_PROTOCOL"), config))
                    || !"SCRAM-SHA-512".equals(value(env.get("KAFKA_SASL_MECHANISM"), config))) {
                problems.add(id + ": Kafka clients must use SASL_SSL with SCRAM-SHA-512 (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM)");
            }
            Map<String, Object> trust = map(at(env.getOrDefault("KAFKA_SSL_TRUSTSTORE_CERTIFICATES", Map.of()), "valueFrom", "secretKeyRef"));
            if (!CLUSTER_CA_SECRET.equals(trust.get("name")) || !"PEM".equals(value(env.get("KAFKA_SSL_TRUSTSTORE_TYPE"), config))) {
                problems.add(id + ": KAFKA_SSL_TRUSTSTORE_CERTIFICATES must be ca.crt of " + CLUSTER_CA_SECRET + " (type PEM)");
            }
            Object userName = map(at(env.getOrDefault("KAFKA_SASL_JAAS_CONFIG", Map.of()), "valueFrom", "secretKeyRef")).get("name");
            Optional<Map<String, Object>> user = resources.stream()
                    .filter(r -> "KafkaUser".equals(r.get("kind")) && name(r).equals(userName)).findFirst();
            if (user.isEmpty()) {
                problems.add(id + ": KAFKA_SASL_JAAS_CONFIG must come from the Secret of its own KafkaUser, reads " + userName);
                continue;
            }
            problems.addAll(user(user.get(), app));
        }
        long users = resources.stream().filter(r -> "KafkaUser".equals(r.get("kind"))).map(YamlTree::name).distinct().count();
        if (users != APPS.size()) {
            problems.add(users + " KafkaUsers for " + APPS.size() + " apps: one user per app, none shared");
        }
        return problems;
    }

    private static List<String> user(Map<String, Object> user, TokenlogAcls.App app) {
        List<String> problems = new ArrayList<>();
        String id = "KafkaUser " + name(user);
        if (!"kafka.strimzi.io/v1beta2".equals(user.get("apiVersion")) || at(user, "metadata", "labels", "strimzi.io/cluster") == null
                || !"scram-sha-512".equals(at(user, "spec", "authentication", "type"))
                || !"simple".equals(at(user, "spec", "authorization", "type"))) {
            problems.add(id + " needs kafka.strimzi.io/v1beta2, the label strimzi.io/cluster, scram-sha-512 and simple authorization");
        }
        Set<String> granted = new TreeSet<>();
        for (Object acl : list(at(user, "spec", "authorization", "acls"))) {
            Map<String, Object> resource = map(map(acl).get("resource"));
            if (map(acl).containsKey("type") && !"allow".equals(map(acl).get("type"))) {
                problems.add(id + ": only allow rules are expected, found " + acl);
            }
            for (Object op : list(map(acl).get("operations"))) {
                granted.add(resource.get("type") + ":" + resource.get("name") + ":" + resource.get("patternType") + ":" + op);
            }
        }
        Set<String> needed = new TreeSet<>();
        for (TokenlogAcls.Acl acl : TokenlogAcls.of(app)) {
            acl.operations().forEach(op -> needed.add(strimzi(acl.type()) + ":" + acl.name() + ":" + strimzi(acl.pattern()) + ":" + strimzi(op)));
        }
        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(granted);
        Set<String> extra = new TreeSet<>(granted);
        extra.removeAll(needed);
        if (!missing.isEmpty()) {
            problems.add(id + " lacks ACLs " + app + " needs: " + missing);
        }
        if (!extra.isEmpty()) {
            problems.add(id + " grants more than " + app + " needs: " + extra);
        }
        return problems;
    }

    private static String value(Map<String, Object> env, Map<String, Object> config) {
        if (env == null) {
            return null;
        }
        if (env.containsKey("value")) {
            return String.valueOf(env.get("value"));
        }
        Object key = at(env, "valueFrom", "configMapKeyRef", "key");
        return key == null ? null : String.valueOf(map(config.get("data")).get(key));
    }

    static String strimzi(ResourceType type) {
        return type == ResourceType.TRANSACTIONAL_ID ? "transactionalId" : type.name().toLowerCase(java.util.Locale.ROOT);
    }

    static String strimzi(PatternType pattern) {
        return pattern == PatternType.PREFIXED ? "prefix" : pattern.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** READ → Read, DESCRIBE_CONFIGS → DescribeConfigs, as Strimzi spells operations. */
    static String strimzi(AclOperation op) {
        StringBuilder out = new StringBuilder();
        for (String word : op.name().split("_")) {
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }
}
