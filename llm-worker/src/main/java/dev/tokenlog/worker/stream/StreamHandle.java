package dev.tokenlog.worker.stream;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One running stream as {@link RunningStreams} sees it: its thread, why it was stopped (if it was),
 * the resources to close on stop, and the clocks for its first-token and idle timeouts.
 */
public final class StreamHandle implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamHandle.class);

    /** Never, for a timeout clock that is not running. */
    private static final Duration NEVER = Duration.ofDays(365);

    private final Thread thread;
    private final long deadlineMillis;
    private final Consumer<StreamHandle> onClose;
    private final AtomicReference<RunningStreams.Stop> stop = new AtomicReference<>();
    private final List<Closeable> resources = new ArrayList<>();
    /**
     * Held while stopping (reason set, resources closed, thread interrupted) and while a first-token
     * timeout is cleared: the interrupt of a stop must land before the clear, which then clears it too;
     * landing after, it would hit the thread's next try and look like a shutdown.
     */
    private final Object stopping = new Object();
    private volatile long armedAt;
    private volatile long lastProgress;
    private volatile boolean progressed;
    private volatile Duration firstTokenTimeout = NEVER;
    private volatile Duration idleTimeout = NEVER;

    StreamHandle(Thread thread, long deadlineMillis, Consumer<StreamHandle> onClose) {
        this.thread = thread;
        this.deadlineMillis = deadlineMillis;
        this.onClose = onClose;
        this.armedAt = System.nanoTime();
    }

    /** Starts the timeout clocks for one try of one route target. */
    public void arm(Duration firstToken, Duration idle) {
        this.firstTokenTimeout = firstToken;
        this.idleTimeout = idle;
        this.progressed = false;
        this.armedAt = System.nanoTime();
        synchronized (resources) {
            resources.clear();
        }
    }

    /** Stops the timeout clocks until the next {@link #arm}, e.g. while waiting to retry. */
    public void disarm() {
        this.firstTokenTimeout = NEVER;
        this.idleTimeout = NEVER;
    }

    /** The provider reported an event: the stream is alive. Keep-alive comments never get here. */
    public void progress() {
        lastProgress = System.nanoTime();
        progressed = true;
    }

    /** Registers a resource to close when the stream is stopped; closes it at once if already stopped. */
    public void closeOnStop(Closeable resource) {
        synchronized (resources) {
            resources.add(resource);
        }
        if (stop.get() != null) {
            closeResources();
        }
    }

    boolean stop(RunningStreams.Stop why) {
        synchronized (stopping) {
            if (!stop.compareAndSet(null, why)) {
                return false;
            }
            closeResources();
            thread.interrupt();
            return true;
        }
    }

    /** Why the stream was stopped, or null when nobody stopped it. */
    public RunningStreams.Stop stopReason() {
        return stop.get();
    }

    /**
     * Forgets a first-token timeout so the next try can run, and clears the interrupt it caused. The
     * clocks stay stopped until the next {@link #arm}, so the expired one cannot fire again meanwhile.
     * A cancel or deadline is never cleared.
     */
    public void clearFirstTokenTimeout() {
        synchronized (stopping) {
            RunningStreams.Stop current = stop.get();
            if (current instanceof RunningStreams.Stop.FirstTokenTimeout) {
                disarm(); // before the reason is cleared: the sweep checks the clocks only while there is none
                stop.compareAndSet(current, null);
                Thread.interrupted();
            }
        }
    }

    void check(long nowNanos, long nowMillis) {
        if (stop.get() != null) {
            return;
        }
        if (nowMillis >= deadlineMillis) {
            stop(new RunningStreams.Stop.DeadlineExceeded());
        } else if (!progressed && nowNanos - armedAt > firstTokenTimeout.toNanos()) {
            stop(new RunningStreams.Stop.FirstTokenTimeout(firstTokenTimeout));
        } else if (progressed && nowNanos - lastProgress > idleTimeout.toNanos()) {
            stop(new RunningStreams.Stop.IdleTimeout(idleTimeout));
        }
    }

    private void closeResources() {
        List<Closeable> toClose;
        synchronized (resources) {
            toClose = new ArrayList<>(resources);
            resources.clear();
        }
        for (Closeable c : toClose) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                LOG.debugf("closing a stopped stream's resource failed: %s", e.toString());
            }
        }
    }

    @Override
    public void close() {
        onClose.accept(this);
    }
}
