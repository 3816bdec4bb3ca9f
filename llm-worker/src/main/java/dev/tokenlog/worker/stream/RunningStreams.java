package dev.tokenlog.worker.stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The streams this worker is running, by request id, so that a cancel command, a deadline or
 * shutdown can stop one. Stopping interrupts the stream's (virtual) thread; the runner then asks
 * {@link Handle#stop()} why it was stopped.
 */
@ApplicationScoped
public class RunningStreams {

    /** Why a running stream was stopped. */
    public sealed interface Stop {
        record Cancel(String reason) implements Stop {}

        record DeadlineExceeded() implements Stop {}

        record Shutdown() implements Stop {}
    }

    private final ConcurrentHashMap<String, Handle> byRequestId = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tokenlog-deadlines").factory());

    /** Registers the calling thread as running {@code requestId}, with an optional absolute deadline. */
    public Handle register(String requestId, Optional<Instant> deadline) {
        Handle handle = new Handle(requestId, Thread.currentThread());
        byRequestId.put(requestId, handle);
        deadline.ifPresent(at -> handle.deadlineTask = timer.schedule(
                () -> handle.stop(new Stop.DeadlineExceeded()),
                Math.max(0, Duration.between(Instant.now(), at).toMillis()), TimeUnit.MILLISECONDS));
        return handle;
    }

    /** Stops the stream of {@code requestId} if it runs here; returns whether it did. */
    public boolean cancel(String requestId, String reason) {
        Handle handle = byRequestId.get(requestId);
        return handle != null && handle.stop(new Stop.Cancel(reason));
    }

    /** Stops every running stream (shutdown after the drain timeout). */
    public void stopAll() {
        byRequestId.values().forEach(h -> h.stop(new Stop.Shutdown()));
    }

    public int size() {
        return byRequestId.size();
    }

    public Collection<String> requestIds() {
        return byRequestId.keySet();
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }

    /** One running stream. */
    public final class Handle implements AutoCloseable {
        private final String requestId;
        private final Thread thread;
        private final AtomicReference<Stop> stop = new AtomicReference<>();
        private volatile ScheduledFuture<?> deadlineTask;

        private Handle(String requestId, Thread thread) {
            this.requestId = requestId;
            this.thread = thread;
        }

        boolean stop(Stop why) {
            if (stop.compareAndSet(null, why)) {
                thread.interrupt();
                return true;
            }
            return false;
        }

        /** Why the stream was stopped, or null when nobody stopped it. */
        public Stop stop() {
            return stop.get();
        }

        @Override
        public void close() {
            ScheduledFuture<?> task = deadlineTask;
            if (task != null) {
                task.cancel(false);
            }
            byRequestId.remove(requestId, this);
        }
    }
}
