package dev.tokenlog.testsupport;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Exit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** Starts the single-node KRaft cluster behind {@link TestKafka}: one replica, fast start, small footprint. */
final class KafkaBroker {
    static final Map<String, String> PROPERTIES = Map.ofEntries(
            // One broker: internal topics must not ask for the default of 3 replicas, or consumer
            // groups and transactions (Kafka Streams exactly_once_v2) never become available.
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("min.insync.replicas", "1"),
            // As tokenlog's llm.answers topic allows (Topics.ANSWERS_MAX_MESSAGE_BYTES): a final answer
            // can be far larger than Kafka's 1 MiB default record.
            Map.entry("message.max.bytes", String.valueOf(16 * 1024 * 1024)),
            // The defaults (50 partitions each) create ~100 partitions on first use; on a 2-core
            // machine that costs seconds and the parallelism buys nothing in tests.
            Map.entry("offsets.topic.num.partitions", "4"),
            Map.entry("transaction.state.log.num.partitions", "4"),
            // The default 3 s delay only helps when many members join at once; tests have one.
            Map.entry("group.initial.rebalance.delay.ms", "0"));

    /**
     * Broker-side loggers, set to WARNING: at INFO they print ~1500 lines into every test log. Set
     * through java.util.logging, which Quarkus' JBoss LogManager backs (as does SLF4J under Quarkus);
     * a module can raise them again with {@code quarkus.log.category."kafka".level}. Client loggers
     * ({@code org.apache.kafka.clients}, {@code .streams}) keep their levels. Held here because
     * java.util.logging forgets the level of a logger nobody references.
     */
    private static final List<Logger> BROKER_LOGGERS = Stream.of("kafka", "state.change.logger",
                    "org.apache.kafka.controller", "org.apache.kafka.coordinator", "org.apache.kafka.image",
                    "org.apache.kafka.metadata", "org.apache.kafka.queue", "org.apache.kafka.raft",
                    "org.apache.kafka.server", "org.apache.kafka.snapshot", "org.apache.kafka.storage")
            .map(Logger::getLogger)
            .toList();

    private static final System.Logger LOG = System.getLogger(KafkaBroker.class.getName());

    private KafkaBroker() {
    }

    /**
     * Starts the cluster, registers a shutdown hook that closes it, and returns its bootstrap servers.
     *
     * @throws IllegalStateException if it does not start
     */
    static String start() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Kafka loads some of its own classes by name through the context class loader (e.g. the
        // share-state persister). Under @QuarkusTest that is a Quarkus loader with its own copies of
        // the Kafka classes, which do not match ours (NoSuchMethodException). The broker's threads
        // and the shutdown hook inherit the loader set here.
        thread.setContextClassLoader(KafkaBroker.class.getClassLoader());
        BROKER_LOGGERS.forEach(logger -> logger.setLevel(Level.WARNING));
        BrokerHalts.install();
        try {
            return startWithOwnClassLoader();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static String startWithOwnClassLoader() {
        long begin = System.nanoTime();
        // The broker calls Exit.exit/halt on fatal errors (e.g. a log dir vanishing while the JVM shuts
        // down and temp dirs are removed). In a test JVM that would turn a green run into a failed fork,
        // so, as Kafka's own tests do, the embedded broker may log such a call but never end the JVM.
        Exit.setExitProcedure((status, message) ->
                LOG.log(System.Logger.Level.WARNING, "in-JVM broker asked to exit({0}): {1}", status, message));
        Exit.setHaltProcedure((status, message) ->
                LOG.log(System.Logger.Level.WARNING, "in-JVM broker asked to halt({0}): {1}", status, message));
        KafkaClusterTestKit cluster = null;
        try {
            var builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build());
            PROPERTIES.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            closeQuietly(cluster);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not start the in-JVM Kafka broker", e);
        }
        KafkaClusterTestKit started = cluster;
        Runtime.getRuntime().addShutdownHook(
                Thread.ofPlatform().name("test-kafka-shutdown").unstarted(() -> {
                    BrokerHalts.jvmExiting();
                    closeQuietly(started);
                }));
        LOG.log(System.Logger.Level.INFO, "Kafka broker at {0} started in {1} ms",
                started.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        return started.bootstrapServers();
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            // Only reached after a failed start or at JVM exit, where the original error matters more.
            LOG.log(System.Logger.Level.WARNING, "Closing the in-JVM Kafka broker failed", e);
        }
    }
}
