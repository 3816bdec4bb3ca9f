package dev.tokenlog.testsupport;

import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A real single-node KRaft Kafka cluster (one combined broker + controller) running inside the test
 * JVM, shared by every test of that JVM.
 *
 * <p>The cluster is started by the first {@link #shared()} call and closed by a JVM shutdown hook.
 * It is configured for a small machine and for transactions with one replica, so Kafka Streams
 * {@code exactly_once_v2} works.
 *
 * <p>Quarkus loads test-support classes again in each of its test class loaders, and closes those
 * loaders between test classes. So that there is one broker per JVM and its threads never run code
 * from a closed loader, the cluster always lives in the copy of this class held by the application
 * class loader; copies in other loaders only delegate to it.
 */
public final class TestKafka {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static TestKafka shared; // guarded by TestKafka.class

    private final String bootstrapServers;

    private TestKafka(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * The broker of this JVM, started on first use (about 3 s).
     *
     * @throws IllegalStateException if the broker cannot be started
     */
    public static synchronized TestKafka shared() {
        if (shared == null) {
            shared = new TestKafka(ownerBootstrapServers());
        }
        return shared;
    }

    /** The {@code bootstrap.servers} value for clients of the broker, e.g. {@code localhost:40123}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A new admin client for the broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /**
     * Creates the topics (one replica each) and waits until every partition has a leader. Topics
     * that already exist are kept, so this can be called by every test.
     *
     * @throws IllegalStateException if creation fails, times out, or an existing topic has a
     *     different partition count (tests would then see a different key-to-partition mapping)
     */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = admin()) {
            var requested = Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList();
            for (var created : admin.createTopics(requested).values().entrySet()) {
                try {
                    await(created.getValue());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create topic " + created.getKey(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, partitions, names);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not describe topics " + Arrays.toString(names), e.getCause());
        }
    }

    /**
     * The controller acknowledges creation before the broker has applied the metadata; without this
     * wait the first produce or describe can fail with an unknown topic.
     */
    private static void awaitLeaders(Admin admin, int partitions, String... names) throws ExecutionException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> topics = await(admin.describeTopics(Arrays.asList(names)).allTopicNames());
                for (TopicDescription topic : topics.values()) {
                    if (topic.partitions().size() != partitions) {
                        throw new IllegalStateException("Topic " + topic.name() + " already exists with "
                                + topic.partitions().size() + " partitions, not " + partitions
                                + "; use another topic name or the same partition count");
                    }
                }
                if (topics.values().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null))) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics " + Arrays.toString(names) + " have no leader after " + TIMEOUT);
            }
            pause();
        }
    }

    private static <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka admin call timed out after " + TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topic leaders", e);
        }
    }

    /** Starts the cluster here if this is the application class loader's copy, else asks that copy. */
    private static String ownerBootstrapServers() {
        ClassLoader app = ClassLoader.getSystemClassLoader();
        if (TestKafka.class.getClassLoader() == app) {
            return KafkaBroker.start();
        }
        Class<?> owner;
        try {
            owner = Class.forName(TestKafka.class.getName(), true, app);
        } catch (ClassNotFoundException e) {
            return KafkaBroker.start(); // test-support is not on the application class path: own the broker here
        }
        try {
            Object instance = owner.getMethod("shared").invoke(null);
            return (String) owner.getMethod("bootstrapServers").invoke(instance);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot reach the shared TestKafka of the application class loader", e);
        }
    }
}
