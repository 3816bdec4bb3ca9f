package dev.tokenlog.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import dev.tokenlog.schemas.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of ARCHITECTURE.md ("Records"), created on the local broker before any app starts,
 * so the apps never depend on auto-creation and every topic gets the same partition count.
 */
public final class TokenlogTopics {
    /** Every topic of the contract (names from {@link Topics}). */
    public static final List<String> ALL = Topics.ALL;

    /** Completed streams replay in full for this long (then the gateway serves the FinalAnswer). */
    static final Duration RETENTION = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(TokenlogTopics.class);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(200);

    private TokenlogTopics() {}

    /**
     * Creates the missing topics and waits until every partition of every topic has a leader.
     * Existing topics are left as they are, even with another partition count: adding partitions
     * would move request ids to other partitions and break replay of the streams already stored.
     *
     * @throws IllegalStateException when the topics are not ready before the deadline
     */
    static void ensure(Admin admin, int partitions, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> missing = new HashSet<>(ALL);
        while (true) {
            try {
                createMissing(admin, missing, partitions);
                if (allLed(admin, partitions)) {
                    return;
                }
            } catch (ExecutionException e) {
                // Right after startup the broker may not be registered with the controller yet:
                // creation fails with "0 brokers registered" until it is.
                if (!(e.getCause() instanceof RetriableException
                        || e.getCause() instanceof InvalidReplicationFactorException)) {
                    throw new IllegalStateException("creating tokenlog topics failed: " + e.getCause(), e.getCause());
                }
                LOG.debug("topics not ready yet: {}", e.getCause().toString());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("tokenlog topics not ready after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(RETRY_BACKOFF.toMillis());
        }
    }

    private static void createMissing(Admin admin, Set<String> missing, int partitions)
            throws ExecutionException, InterruptedException {
        if (missing.isEmpty()) {
            return;
        }
        List<NewTopic> topics = missing.stream()
                .map(name -> new NewTopic(name, partitions, (short) 1).configs(configs(name)))
                .toList();
        List<String> created = new ArrayList<>();
        for (var entry : admin.createTopics(topics).values().entrySet()) {
            try {
                entry.getValue().get();
                created.add(entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            missing.remove(entry.getKey());
        }
        if (!created.isEmpty()) {
            LOG.info("created topics {} with {} partitions each", created, partitions);
        }
    }

    /**
     * The cleanup policy of a topic: the stream index holds the latest entry per request in flight
     * (tombstoned at its answer), so it is compacted; every other topic is a log deleted after
     * {@link #RETENTION}. The compose and Kubernetes manifests use the same policies (ManifestsTest).
     */
    static String cleanupPolicy(String topic) {
        return topic.equals(Topics.STREAM_INDEX) ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE;
    }

    /** The configs a topic is created with: its cleanup policy, retention, and llm.answers' larger records. */
    static Map<String, String> configs(String topic) {
        String policy = cleanupPolicy(topic);
        Map<String, String> configs = new java.util.HashMap<>(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, policy));
        if (policy.equals(TopicConfig.CLEANUP_POLICY_DELETE)) {
            configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RETENTION.toMillis()));
        }
        if (topic.equals(Topics.ANSWERS)) {
            // A final answer holds a whole answer's text: far more than Kafka's 1 MiB default record.
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(Topics.ANSWERS_MAX_MESSAGE_BYTES));
        }
        return configs;
    }

    private static boolean allLed(Admin admin, int partitions) throws ExecutionException, InterruptedException {
        Map<String, TopicDescription> topics = admin.describeTopics(ALL).allTopicNames().get();
        for (TopicDescription topic : topics.values()) {
            if (topic.partitions().size() != partitions) {
                LOG.warn("topic {} has {} partitions, not {}; keeping it (changing the count breaks replay)",
                        topic.name(), topic.partitions().size(), partitions);
            }
            if (topic.partitions().stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                return false;
            }
        }
        return true;
    }
}
