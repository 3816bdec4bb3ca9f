package dev.tokenlog.worker.stream;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The streams this worker is running, by request id, so that a cancel command, a deadline, a
 * timeout or shutdown can stop one. A sweep every {@value #SWEEP_MS} ms enforces the first-token and
 * idle timeouts of every stream; stopping closes the stream's registered resources (its HTTP body,
 * so a blocked read returns at once) and interrupts its virtual thread.
 */
@ApplicationScoped
public class RunningStreams {
    static final long SWEEP_MS = 100;

    /** Why a running stream was stopped. */
    public sealed interface Stop {
        record Cancel(String reason) implements Stop {}

        record DeadlineExceeded() implements Stop {}

        /** No event arrived within the first-token timeout: retryable, since nothing was output. */
        record FirstTokenTimeout(Duration after) implements Stop {}

        /** No event arrived for the idle timeout after output had started. */
        record IdleTimeout(Duration after) implements Stop {}

        record Shutdown() implements Stop {}
    }

    private final ConcurrentHashMap<String, StreamHandle> byRequestId = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("tokenlog-stream-timeouts").factory());

    public RunningStreams() {
        timer.scheduleAtFixedRate(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    /** Registers the calling thread as running {@code requestId}, with an optional absolute deadline. */
    public StreamHandle register(String requestId, Optional<Instant> deadline) {
        StreamHandle handle = new StreamHandle(Thread.currentThread(), deadline.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE),
                h -> byRequestId.remove(requestId, h));
        byRequestId.put(requestId, handle);
        return handle;
    }

    /** Stops the stream of {@code requestId} if it runs here; returns whether it did. */
    public boolean cancel(String requestId, String reason) {
        StreamHandle handle = byRequestId.get(requestId);
        return handle != null && handle.stop(new Stop.Cancel(reason));
    }

    /** Stops every running stream (shutdown after the drain timeout). */
    public void stopAll() {
        byRequestId.values().forEach(h -> h.stop(new Stop.Shutdown()));
    }

    /** A shared scheduler for short timed work of running streams (e.g. flushing merged deltas). */
    public java.util.concurrent.ScheduledExecutorService scheduler() {
        return timer;
    }

    public int size() {
        return byRequestId.size();
    }

    private void sweep() {
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        byRequestId.values().forEach(h -> h.check(nowNanos, nowMillis));
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }
}
