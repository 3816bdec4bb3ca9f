package dev.tokenlog.worker.consume;

import java.time.Duration;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Backs a poll loop off while the schema registry fails transiently (unreachable, 5xx). The loop seeks
 * back to the record it could not decode and calls {@link #after(boolean)} once per poll; records are
 * never skipped or dead-lettered because of the registry. Logs once when the outage starts and once
 * when it ends, not once per record.
 */
final class RegistryWait {
    private static final Logger LOG = Logger.getLogger(RegistryWait.class);
    private static final long FIRST_MS = 100;
    private static final long MAX_MS = 5_000;

    private final String loop;
    private long backoffMs;
    private long since;

    RegistryWait(String loop) {
        this.loop = loop;
    }

    /** The record at {@code offset} of {@code tp} needs the registry, which failed with {@code e}. */
    void failed(TopicPartition tp, long offset, RuntimeException e) {
        if (backoffMs == 0) {
            since = System.nanoTime();
            LOG.warnf("%s: schema registry unavailable; %s@%d and later records wait for it (retrying): %s",
                    loop, tp, offset, e.getMessage());
        }
    }

    /** Called after each poll: sleeps with growing backoff while records wait, logs the recovery. */
    void after(boolean waiting) {
        if (waiting) {
            backoffMs = backoffMs == 0 ? FIRST_MS : Math.min(MAX_MS, backoffMs * 2);
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (backoffMs != 0) {
            LOG.infof("%s: schema registry answers again after %s; continuing", loop,
                    Duration.ofNanos(System.nanoTime() - since));
            backoffMs = 0;
        }
    }
}
