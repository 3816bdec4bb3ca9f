package dev.tokenlog.deploy;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

import dev.tokenlog.schemas.Topics;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Least privilege on Kafka: what each app's user may do, read from the code. The local broker in
 * SASL_SSL mode enforces exactly these ACLs (so the secured local run proves they suffice), and
 * ManifestsTest checks that the Strimzi {@code KafkaUser}s of deploy/k8s grant the same.
 * docs/OPERATIONS.md ("Kafka security") lists them. READ and WRITE imply DESCRIBE.
 */
public final class TokenlogAcls {
    /** The worker's consumer group on {@link Topics#REQUESTS} ({@code tokenlog.worker.group-id}'s default). */
    public static final String WORKER_GROUP = "tokenlog-workers";
    /**
     * The fold's Kafka Streams {@code application.id}: its consumer group, the prefix of its internal
     * (changelog, repartition) topics and of its exactly-once transactional ids.
     */
    public static final String FOLD_APPLICATION_ID = "tokenlog-fold";

    /** An app of tokenlog with a Kafka user of its own. */
    public enum App {
        /** llm-worker: request consumer (group), control and terminal readers (no group), chunk producer. */
        WORKER,
        /** stream-fanout: request/control producer, live tail and history readers (no group), the fold. */
        GATEWAY
    }

    /** One ALLOW rule: operations on the resources named {@code name} (literally, or every name it prefixes). */
    public record Acl(ResourceType type, String name, PatternType pattern, Set<AclOperation> operations) {
        static Acl topic(String name, AclOperation... operations) {
            return new Acl(ResourceType.TOPIC, name, PatternType.LITERAL, Set.of(operations));
        }
    }

    private TokenlogAcls() {}

    /** The rules of {@code app}'s user. */
    public static List<Acl> of(App app) {
        return switch (app) {
            case WORKER -> List.of(
                    Acl.topic(Topics.REQUESTS, READ),
                    new Acl(ResourceType.GROUP, WORKER_GROUP, PatternType.LITERAL, Set.of(READ)),
                    // Chunks: written per stream; read from the end back to find a request's terminal.
                    Acl.topic(Topics.CHUNKS, READ, WRITE),
                    Acl.topic(Topics.CONTROL, READ),
                    Acl.topic(Topics.REQUESTS_DLQ, WRITE));
            case GATEWAY -> List.of(
                    // POST /v1/streams and cancel write; the fold reads requests and chunks.
                    Acl.topic(Topics.REQUESTS, READ, WRITE),
                    Acl.topic(Topics.CONTROL, WRITE),
                    Acl.topic(Topics.CHUNKS, READ),
                    // The fold writes these and every gateway reads them into global stores.
                    Acl.topic(Topics.ANSWERS, READ, WRITE),
                    Acl.topic(Topics.STREAM_INDEX, READ, WRITE),
                    Acl.topic(Topics.METRICS, WRITE),
                    new Acl(ResourceType.TOPIC, FOLD_APPLICATION_ID, PatternType.PREFIXED, Set.of(ALL)),
                    new Acl(ResourceType.GROUP, FOLD_APPLICATION_ID, PatternType.LITERAL, Set.of(READ)),
                    new Acl(ResourceType.TRANSACTIONAL_ID, FOLD_APPLICATION_ID, PatternType.PREFIXED, Set.of(WRITE, DESCRIBE)));
        };
    }

    /** {@code app}'s rules as bindings for {@code principal} (e.g. {@code User:worker}), from any host. */
    public static List<AclBinding> bindings(App app, String principal) {
        return of(app).stream()
                .flatMap(acl -> acl.operations().stream().map(op -> new AclBinding(
                        new ResourcePattern(acl.type(), acl.name(), acl.pattern()),
                        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW))))
                .toList();
    }
}
