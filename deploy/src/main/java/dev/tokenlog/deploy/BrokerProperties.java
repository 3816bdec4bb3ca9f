package dev.tokenlog.deploy;

import java.util.Properties;

/**
 * The server configuration of the single combined KRaft node: one process is broker and
 * controller, every replication factor and ISR minimum is 1, and both listeners bind loopback.
 */
final class BrokerProperties {
    static final int NODE_ID = 1;
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private BrokerProperties() {}

    /**
     * The properties {@code KafkaConfig.fromProps} is given for these settings; in SASL_SSL mode the
     * {@link LocalKafkaSecurity} files must exist.
     */
    static Properties of(LocalKafkaSettings settings) throws java.io.IOException {
        String host = LocalKafkaSettings.HOST;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static voter set (not a dynamic quorum formatted with --standalone): the controller
        // address is read from this config on every start, so a restart on another controller
        // port still finds its quorum.
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + settings.controllerPort());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", "PLAINTEXT://" + host + ":" + settings.port()
                + "," + CONTROLLER_LISTENER + "://" + host + ":" + settings.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + settings.port());
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", settings.logDir().toString());

        // One node: every internal topic and every tokenlog topic has exactly one replica.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("num.partitions", String.valueOf(settings.partitions()));

        // Consumers and Kafka Streams join at once instead of waiting 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB cleaner buffer is sized for production compaction, not a laptop.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        if (settings.security() == LocalKafkaSettings.Security.SASL_SSL) {
            LocalKafkaSecurity.in(settings.dataDir()).configureBroker(p, settings);
        }
        return p;
    }
}
