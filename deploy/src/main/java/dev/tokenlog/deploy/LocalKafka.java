package dev.tokenlog.deploy;

import dev.tokenlog.config.KafkaClients;
import dev.tokenlog.config.KafkaSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka 4.1 (KRaft, broker and controller in one process) for the local run.
 *
 * <p>{@link #main} is what {@code deploy/local/run} starts: it formats the storage on first use,
 * starts the server, creates the tokenlog topics, prints {@value #READY_PREFIX}{@code <host:port>}
 * on standard output and serves until SIGTERM, when it shuts down cleanly. Data lives in
 * {@code <data-dir>/kafka}, so a restart on the same directory keeps every stream.
 * Tests use {@link #start} and {@link #close} in-process.
 */
public final class LocalKafka implements AutoCloseable {
    /** The launcher waits for a line starting with this text. */
    public static final String READY_PREFIX = "tokenlog-kafka ready on ";

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(60);

    private final LocalKafkaSettings settings;
    private final KafkaRaftServer server;
    private final String clusterId;

    private LocalKafka(LocalKafkaSettings settings, KafkaRaftServer server, String clusterId) {
        this.settings = settings;
        this.server = server;
        this.clusterId = clusterId;
    }

    /**
     * Formats the storage if {@code meta.properties} is missing, starts the server and waits until
     * every tokenlog topic exists and has a leader. On failure nothing is left running.
     */
    public static LocalKafka start(LocalKafkaSettings settings) throws Exception {
        List<String> scram = List.of();
        if (settings.security() == LocalKafkaSettings.Security.SASL_SSL) {
            LocalKafkaSecurity security = LocalKafkaSecurity.in(settings.dataDir());
            if (Files.exists(KafkaStorage.metaProperties(settings.logDir())) && !security.exists()) {
                throw new IllegalStateException("TOKENLOG_KAFKA_SECURITY=sasl_ssl needs a data directory first started "
                        + "in that mode (the SCRAM users are written when the storage is formatted), but "
                        + settings.dataDir() + " was started in plaintext mode: use another TOKENLOG_DATA_DIR, or delete "
                        + settings.logDir() + " to start over without its streams");
            }
            security.ensure();
            scram = security.scramArguments();
        }
        KafkaConfig config = KafkaConfig.fromProps(BrokerProperties.of(settings), false);
        Optional<String> formatted = KafkaStorage.formatIfMissing(config, settings.logDir(), scram, System.out);
        String clusterId = formatted.or(() -> existingClusterId(settings)).orElseThrow();
        LOG.info("{} storage in {} (cluster id {}, client listener {})",
                formatted.isPresent() ? "formatted new" : "reusing", settings.logDir(), clusterId, settings.security());

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        LocalKafka kafka = new LocalKafka(settings, server, clusterId);
        try {
            server.startup();
            try (Admin admin = kafka.admin()) {
                TokenlogTopics.ensure(admin, settings.partitions(), TOPICS_TIMEOUT);
                if (settings.security() == LocalKafkaSettings.Security.SASL_SSL) {
                    LocalKafkaSecurity.in(settings.dataDir()).grant(admin);
                }
            }
            return kafka;
        } catch (Exception | Error e) {
            try {
                kafka.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** Settings the server runs with. */
    public LocalKafkaSettings settings() {
        return settings;
    }

    /** The cluster id from {@code meta.properties}; unchanged across restarts on one directory. */
    public String clusterId() {
        return clusterId;
    }

    /** An admin client for this broker (in SASL_SSL mode as the broker's own user); the caller closes it. */
    public Admin admin() throws IOException {
        KafkaSecurity security = settings.security() == LocalKafkaSettings.Security.SASL_SSL
                ? LocalKafkaSecurity.in(settings.dataDir()).client(LocalKafkaSecurity.ADMIN)
                : KafkaSecurity.NONE;
        return new KafkaClients(settings.bootstrapServers(), security, Map.of()).admin("tokenlog-local-kafka", Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    }

    /** Shuts the broker and controller down and waits for it; the log is flushed and closed. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** Entry point of the launcher's Kafka process; see {@link LocalKafkaSettings} for options. */
    public static void main(String[] args) {
        LocalKafkaSettings settings;
        try {
            settings = LocalKafkaSettings.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tokenlog-kafka: " + e.getMessage());
            System.err.println(LocalKafkaSettings.USAGE);
            System.exit(2);
            return;
        }
        LocalKafka kafka;
        try {
            kafka = start(settings);
        } catch (Exception e) {
            LOG.error("tokenlog-kafka failed to start on {} (data in {}): {}",
                    settings.bootstrapServers(), settings.logDir(), e.toString(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping tokenlog-kafka");
            kafka.close();
            LOG.info("tokenlog-kafka stopped");
        }, "tokenlog-kafka-shutdown"));
        System.out.println(READY_PREFIX + settings.bootstrapServers());
        System.out.flush();
        // Keeps main alive only as long as the server runs; the shutdown hook ends it.
        kafka.server.awaitShutdown();
    }

    private static Optional<String> existingClusterId(LocalKafkaSettings settings) {
        try {
            return KafkaStorage.clusterId(settings.logDir());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + KafkaStorage.metaProperties(settings.logDir()), e);
        }
    }
}
