package dev.tokenlog.deploy;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the local broker needs to know: where it listens and where it keeps its data.
 *
 * <p>Each value comes from a command-line option, else from an environment variable, else from
 * a default that works on a developer machine:
 * <pre>
 *   --port N             TOKENLOG_KAFKA_PORT             9092   client listener (127.0.0.1)
 *   --controller-port N  TOKENLOG_KAFKA_CONTROLLER_PORT  9093   KRaft controller listener (127.0.0.1)
 *   --data-dir DIR       TOKENLOG_DATA_DIR               .tokenlog   the log lives in DIR/kafka
 *   --partitions N       TOKENLOG_PARTITIONS             3      partitions of each tokenlog topic
 *   --security MODE      TOKENLOG_KAFKA_SECURITY         plaintext   or sasl_ssl ({@link LocalKafkaSecurity})
 * </pre>
 *
 * @param port           client (PLAINTEXT) listener port
 * @param controllerPort KRaft controller listener port
 * @param dataDir        the launcher's data directory; the broker writes only below {@link #logDir()}
 * @param partitions     partition count used when a tokenlog topic is created
 * @param security       how clients connect: plaintext, or SASL_SSL with SCRAM users
 */
public record LocalKafkaSettings(int port, int controllerPort, Path dataDir, int partitions, Security security) {

    /** The client listener's protocol ({@code TOKENLOG_KAFKA_SECURITY}). */
    public enum Security {
        /** No authentication, no encryption (loopback only); the default. */
        PLAINTEXT,
        /** SCRAM-SHA-512 over TLS, one user per app; no plaintext listener. */
        SASL_SSL;

        static Security parse(String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "", "plaintext" -> PLAINTEXT;
                case "sasl_ssl" -> SASL_SSL;
                default -> throw new IllegalArgumentException(
                        "security (TOKENLOG_KAFKA_SECURITY) must be plaintext or sasl_ssl, got '" + value + "'");
            };
        }
    }

    /** Loopback only: the local run must never expose an unauthenticated broker to the network. */
    public static final String HOST = "127.0.0.1";

    static final String USAGE = """
            usage: LocalKafka [--port N] [--controller-port N] [--data-dir DIR] [--partitions N] [--security MODE]
              defaults from TOKENLOG_KAFKA_PORT (9092), TOKENLOG_KAFKA_CONTROLLER_PORT (9093),
              TOKENLOG_DATA_DIR (.tokenlog), TOKENLOG_PARTITIONS (3), TOKENLOG_KAFKA_SECURITY (plaintext|sasl_ssl)""";

    /** A plaintext broker. */
    public LocalKafkaSettings(int port, int controllerPort, Path dataDir, int partitions) {
        this(port, controllerPort, dataDir, partitions, Security.PLAINTEXT);
    }

    public LocalKafkaSettings {
        requirePort("port", port);
        requirePort("controller port", controllerPort);
        if (port == controllerPort) {
            throw new IllegalArgumentException("port and controller port must differ, both are " + port);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        java.util.Objects.requireNonNull(security, "security");
    }

    /**
     * Reads the settings from options, falling back to the environment.
     *
     * @throws IllegalArgumentException naming the option or variable that is wrong
     */
    public static LocalKafkaSettings parse(String[] args, Map<String, String> env) {
        String port = env.getOrDefault("TOKENLOG_KAFKA_PORT", "9092");
        String controllerPort = env.getOrDefault("TOKENLOG_KAFKA_CONTROLLER_PORT", "9093");
        String dataDir = env.getOrDefault("TOKENLOG_DATA_DIR", ".tokenlog");
        String partitions = env.getOrDefault("TOKENLOG_PARTITIONS", "3");
        String security = env.getOrDefault("TOKENLOG_KAFKA_SECURITY", "plaintext");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--port" -> port = value;
                case "--controller-port" -> controllerPort = value;
                case "--data-dir" -> dataDir = value;
                case "--partitions" -> partitions = value;
                case "--security" -> security = value;
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return new LocalKafkaSettings(number("port", port), number("controller port", controllerPort),
                Path.of(dataDir), number("partitions", partitions), Security.parse(security));
    }

    /** The broker's only log directory; it also holds the KRaft metadata log and meta.properties. */
    public Path logDir() {
        return dataDir.resolve("kafka");
    }

    /** The {@code bootstrap.servers} value clients use. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    private static int number(String what, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got '" + value + "'");
        }
    }

    private static void requirePort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 1 and 65535, got " + port);
        }
    }
}
