package dev.tokenlog.fanout.streams;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Closes the fold's Kafka Streams client at shutdown with a leave-group request. Kafka Streams
 * otherwise stays a group member until its session times out, so the partitions of a stopped gateway
 * (a restart, a scale-down) would be folded by no one for that long.
 */
@ApplicationScoped
public class LeaveOnShutdown {
    private static final Logger LOG = Logger.getLogger(LeaveOnShutdown.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    void stop(@Observes @Priority(1) ShutdownEvent event, KafkaStreams streams) {
        boolean closed = streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(CLOSE_TIMEOUT));
        LOG.infof("fold stopped and left its group%s", closed ? "" : " (close timed out after " + CLOSE_TIMEOUT + ")");
    }
}
