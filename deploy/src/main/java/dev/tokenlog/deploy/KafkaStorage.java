package dev.tokenlog.deploy;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.properties.PropertiesUtils;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * Formats the KRaft log directory the first time, and never again: a directory that already has
 * {@code meta.properties} keeps its cluster id, its metadata log and every topic.
 */
final class KafkaStorage {
    private KafkaStorage() {}

    /** {@code meta.properties} in the log directory; its presence means "already formatted". */
    static Path metaProperties(Path logDir) {
        return logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME);
    }

    /** The cluster id recorded in {@code meta.properties}, if the directory is formatted. */
    static Optional<String> clusterId(Path logDir) throws Exception {
        Path meta = metaProperties(logDir);
        if (!Files.exists(meta)) {
            return Optional.empty();
        }
        Properties props = PropertiesUtils.readPropertiesFile(meta.toString());
        return Optional.ofNullable(props.getProperty("cluster.id"));
    }

    /**
     * Formats {@code logDir} with a new random cluster id unless it is formatted already.
     * Mirrors {@code kafka-storage.sh format} (Kafka 4.1 {@code StorageTool.runFormatCommand})
     * for a static controller quorum.
     *
     * @return the new cluster id, or empty when the directory was already formatted
     */
    static Optional<String> formatIfMissing(KafkaConfig config, Path logDir, PrintStream out) throws Exception {
        return formatIfMissing(config, logDir, java.util.List.of(), out);
    }

    /**
     * As {@link #formatIfMissing(KafkaConfig, Path, PrintStream)}, adding SCRAM credentials to the
     * bootstrap metadata ({@code --add-scram}, e.g. {@code SCRAM-SHA-512=[name=worker,password=...]}).
     */
    static Optional<String> formatIfMissing(KafkaConfig config, Path logDir, java.util.List<String> scram,
            PrintStream out) throws Exception {
        if (Files.exists(metaProperties(logDir))) {
            return Optional.empty();
        }
        Files.createDirectories(logDir);
        String clusterId = Uuid.randomUuid().toString();
        new Formatter()
                .setPrintStream(out)
                .setNodeId(config.nodeId())
                .setClusterId(clusterId)
                .setControllerListenerName(BrokerProperties.CONTROLLER_LISTENER)
                .setMetadataLogDirectory(config.metadataLogDir())
                .addDirectory(logDir.toString())
                // controller.quorum.voters is set, so the voter set is static, not bootstrapped.
                .setHasDynamicQuorum(false)
                .setScramArguments(scram)
                .run();
        return Optional.of(clusterId);
    }
}
