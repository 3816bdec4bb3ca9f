package dev.tokenlog.fanout.streams;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Closes the fold's Kafka Streams client first at shutdown, so that it commits and leaves its group
 * while the broker connection is still up. Leaving is what lets the partitions of a stopped gateway (a
 * restart, a scale-down) move at once instead of after a 45 s session timeout. The leave request itself
 * comes from the main consumer's {@code internal.leave.group.on.close=true} in application.properties:
 * Kafka Streams turns it off by default, and {@code CloseOptions.leaveGroup} acts only on static
 * members (found by FoldRestartTest, which waited out a whole session after each restart).
 */
@ApplicationScoped
public class LeaveOnShutdown {
    private static final Logger LOG = Logger.getLogger(LeaveOnShutdown.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    void stop(@Observes @Priority(1) ShutdownEvent event, KafkaStreams streams) {
        boolean closed = streams.close(CLOSE_TIMEOUT);
        LOG.infof("fold stopped and left its group%s", closed ? "" : " (close timed out after " + CLOSE_TIMEOUT + ")");
    }
}
