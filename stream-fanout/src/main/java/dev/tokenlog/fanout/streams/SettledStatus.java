package dev.tokenlog.fanout.streams;

import dev.tokenlog.fanout.config.FoldConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Read-your-writes for {@code GET /v1/streams/{id}}: once a stream's terminal chunk is in
 * {@code llm.chunks}, the status read never answers a non-terminal status, although the index it reads
 * (the fold's global stores) lags the log by a commit. A read that finds the stream not ended takes
 * the end of the stream's partition now (a terminal written before lies below it) and waits, within
 * {@code tokenlog.fold.status-wait}, until the answer appears or the fold has committed that partition
 * up to there; then the non-terminal status is the truth as of the read. Past the wait (the fold is
 * restarting or far behind) it answers what the index says, as before: a 503 there would break every
 * client that polls the status of running streams while the fold works through a backlog (the bench's
 * fold scenario does exactly that), and the wait already covers the normal lag. Only these reads pay:
 * two admin requests to the broker, plus the fold's commit interval and {@link #STORES_CATCH_UP} when
 * the stream is still running. Every gateway can do it: nothing here depends on which one folds it.
 */
@ApplicationScoped
public class SettledStatus {
    private static final Logger LOG = Logger.getLogger(SettledStatus.class);
    /**
     * After the fold committed past the read's offset, what it wrote (answer, index tombstone) is in the
     * topics; the global stores of this instance read them within milliseconds. Allow them this long.
     */
    static final Duration STORES_CATCH_UP = Duration.ofMillis(250);
    private static final long STORE_POLL_MS = 10;
    private static final long PROGRESS_POLL_MS = 50;

    private final RequestIndex index;
    private final FoldProgress progress;
    private final Duration wait;

    public SettledStatus(RequestIndex index, FoldProgress progress, FoldConfig config) {
        this.index = index;
        this.progress = progress;
        this.wait = config.statusWait();
    }

    /**
     * The stream's answer if its terminal was in the log when this was called, else its status now; if the
     * fold did not catch up within the wait, the index's status as it stands.
     */
    public RequestIndex.Lookup settle(RequestIndex.Lookup found) {
        if (found.answer() != null) {
            return found;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            int partition = found.entry() != null && found.entry().getChunkPartition() != null
                    ? found.entry().getChunkPartition() : progress.partitionOf(found.id(), left(deadline));
            long end = progress.end(partition, left(deadline));
            if (end <= 0) {
                return found; // nothing was ever written there: no terminal either
            }
            boolean caughtUp = false;
            long caughtUpAt = 0;
            long nextProgress = System.nanoTime();
            while (true) {
                RequestIndex.Lookup now = index.known(found.id());
                if (now != null && now.answer() != null) {
                    return now;
                }
                long t = System.nanoTime();
                if (!caughtUp && t - nextProgress >= 0) {
                    if (progress.folded(partition, left(deadline)) >= end) {
                        caughtUp = true;
                        caughtUpAt = t;
                    }
                    nextProgress = t + PROGRESS_POLL_MS * 1_000_000;
                }
                if (caughtUp && t - caughtUpAt >= STORES_CATCH_UP.toNanos()) {
                    return now != null ? now : found;
                }
                if (t - deadline >= 0) {
                    LOG.debugf("status of %s: the fold did not reach offset %d of partition %d within %s",
                            found.id(), end, partition, wait);
                    return now != null ? now : found;
                }
                Thread.sleep(STORE_POLL_MS);
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("status of %s: cannot tell how far the fold is (%s); answering the index as it stands",
                    found.id(), e.getMessage());
            return found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return found;
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }
}
