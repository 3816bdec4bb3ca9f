package dev.tokenlog.fanout.sse;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The live phase of one SSE subscriber, run on its connection's Vert.x context: when the
 * {@link LiveTail} wakes the {@link Subscription} (once per poll of the log), it takes every chunk
 * queued, maps them to this subscriber's events and writes them in one write, waiting for nothing.
 *
 * <p>Back-pressure is decided here, on the event loop: while the connection's write queue is full
 * ({@code writeQueueFull()}) nothing more is written and the chunks stay queued (counted against the
 * subscription's capacity, which the tail enforces); a queue that stays full for the write timeout,
 * or a response whose end is not flushed within it, gets the connection closed. A subscription that
 * overflowed gets a comment and the end of the response. Either way the client resumes by event id.
 *
 * <p>The subscriber's thread starts it and then only wakes when the stream was idle for a heartbeat
 * ({@link #awaitFinish}): it sends a {@link #heartbeat()}, {@linkplain #end(SseFrame) ends} the
 * stream with a frame, or {@linkplain #stop() stops} it to send the rest itself. Every method but
 * {@link #start} and {@link #awaitFinish} hands its work to the context, so that all writes of the
 * live phase come from the context, in order.
 */
final class LiveWriter {
    private static final Logger LOG = Logger.getLogger(LiveWriter.class);

    private final Vertx vertx;
    private final Context context;
    private final HttpServerResponse response;
    private final Subscription subscription;
    private final StreamEvents events;
    private final long from;
    private final Duration writeTimeout;
    private final Runnable closeConnection;
    private final HopTimers hops;
    /** producedAt of the last sampled chunk ({@link HopTimers}) in the batch being built, or -1. */
    private long sampledProducedAt = -1;
    /** Completes with the next offset to send once nothing more is written here (-1 when the response was ended or dropped). */
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    /** When something was last written (or the stream was last found active), for the heartbeat. */
    private volatile long activeAt = System.nanoTime();
    private long next;
    private boolean done;
    /** The timer of a full write queue, or -1 while it is not full. */
    private long fullTimer = -1;

    private LiveWriter(Vertx vertx, Context context, HttpServerResponse response, Subscription subscription,
                       StreamEvents events, long next, long from, Duration writeTimeout, Runnable closeConnection,
                       HopTimers hops) {
        this.vertx = vertx;
        this.hops = hops;
        this.context = context;
        this.response = response;
        this.subscription = subscription;
        this.events = events;
        this.next = next;
        this.from = from;
        this.writeTimeout = writeTimeout;
        this.closeConnection = closeConnection;
    }

    /**
     * Takes over {@code response} on {@code context} from the subscriber's thread, whose writes must all
     * be complete: what the tail queued meanwhile goes first, in order.
     *
     * @param next  the offset after the last chunk sent as history
     * @param from  the first offset to send: chunks before it are skipped
     * @param closeConnection closes the subscriber's connection at once, dropping what it has not read
     * @param hops      times the write of sampled chunks
     */
    static LiveWriter start(Vertx vertx, Context context, HttpServerResponse response, Subscription subscription,
                            StreamEvents events, long next, long from, Duration writeTimeout, Runnable closeConnection,
                            HopTimers hops) {
        LiveWriter writer = new LiveWriter(vertx, context, response, subscription, events, next, from, writeTimeout,
                closeConnection, hops);
        context.runOnContext(v -> writer.begin());
        return writer;
    }

    private void begin() {
        response.drainHandler(v -> drained());
        subscription.attach(context, this::deliver);
    }

    private void deliver() {
        try {
            deliverQueued();
        } catch (RuntimeException e) {
            LOG.errorf(e, "serving live events of %s failed", subscription.streamId());
            finish(-1);
            response.reset();
        }
    }

    /**
     * Waits until nothing more is written here (true), or until nothing was written for {@code idle} (false).
     */
    boolean awaitFinish(Duration idle) throws InterruptedException {
        while (true) {
            long left = idle.toNanos() - (System.nanoTime() - activeAt);
            if (left <= 0) {
                activeAt = System.nanoTime(); // the caller acts on the idle stream
                return finished.isDone();
            }
            try {
                finished.get(left, TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                // written to meanwhile? then wait for the rest of the heartbeat
            } catch (ExecutionException e) {
                return true;
            }
        }
    }

    /**
     * Writes a heartbeat comment, unless the stream is over or the write queue is full. Comments end with
     * one newline, not a blank line ({@link SseWriter#open}).
     */
    void heartbeat() {
        context.runOnContext(v -> {
            if (!done && fullTimer < 0) {
                write(": heartbeat\n", 0);
            }
        });
    }

    /** Sends {@code frame} and ends the response (a stream that turned out to be none). */
    void end(SseFrame frame) {
        context.runOnContext(v -> {
            if (!done) {
                write(frame.encode(), 0);
                endResponse();
            }
        });
    }

    /**
     * Stops writing here and waits for that: the offset after the last chunk sent, for the caller to send
     * the rest itself; -1 when the response was already ended or dropped.
     */
    long stop() {
        context.runOnContext(v -> finish(done ? -1 : next));
        return finished.join();
    }

    private void deliverQueued() {
        if (done) {
            return;
        }
        if (subscription.closed()) {
            finish(-1);
            return;
        }
        if (subscription.overflowed()) {
            write(": too far behind the stream; reconnect with Last-Event-ID to resume\n", 0);
            endResponse();
            return;
        }
        if (fullTimer >= 0) {
            return; // the drain handler delivers
        }
        int taken = 0;
        boolean more = true;
        for (ChunkReader.Positioned p; (p = subscription.poll()) != null; ) {
            taken++;
            if (more && p.position().offset() >= from) {
                more = queue(p);
                next = p.position().offset() + 1;
            }
        }
        if (taken == 0) {
            return;
        }
        activeAt = System.nanoTime();
        if (text.isEmpty()) {
            subscription.written(taken);
        } else {
            String batch = text.toString();
            text.setLength(0);
            write(batch, taken);
        }
        if (!more) {
            endResponse();
        }
    }

    /** Adds a chunk's events to the batch; false once the attempt's terminal event is added. */
    private boolean queue(ChunkReader.Positioned chunk) {
        if (HopTimers.sampled(chunk.chunk())) {
            sampledProducedAt = chunk.chunk().getProducedAt().toEpochMilli();
        }
        boolean[] ended = {false};
        events.map(chunk, frame -> {
            if (!ended[0]) {
                text.append(chunk.shared() == null ? frame.encode() : chunk.shared().wire(frame));
                ended[0] = frame.terminal();
            }
        });
        return !ended[0];
    }

    /** Writes without waiting; {@code chunks} stay pending on the subscription until the write is flushed. */
    private void write(String batch, int chunks) {
        activeAt = System.nanoTime();
        long produced = sampledProducedAt;
        sampledProducedAt = -1;
        response.write(batch).onComplete(ar -> {
            if (produced >= 0 && ar.succeeded()) {
                hops.written(produced, System.currentTimeMillis());
            }
            subscription.written(chunks);
            if (ar.failed()) {
                finish(-1); // the connection is gone: its close handler closes the subscription
            }
        });
        if (!done && fullTimer < 0 && response.writeQueueFull()) {
            fullTimer = vertx.setTimer(writeTimeout.toMillis(), t -> cutOff());
        }
    }

    private void drained() {
        if (fullTimer >= 0) {
            vertx.cancelTimer(fullTimer);
            fullTimer = -1;
            deliver();
        }
    }

    /** Ends the response; one whose end is not flushed within the write timeout is cut off. */
    private void endResponse() {
        if (fullTimer >= 0) {
            vertx.cancelTimer(fullTimer);
            fullTimer = -1;
        }
        Future<Void> end = response.end();
        finish(-1);
        if (!end.isComplete()) {
            long timer = vertx.setTimer(writeTimeout.toMillis(), t -> {
                if (!end.isComplete()) {
                    cutOff();
                }
            });
            end.onComplete(ar -> vertx.cancelTimer(timer));
        }
    }

    /**
     * Bounded memory: a subscriber that does not read is cut off, and what it has not read is dropped
     * with its connection; it resumes by event id.
     */
    private void cutOff() {
        fullTimer = -1;
        closeConnection.run();
        LOG.infof("cut off a subscriber that read nothing for %s; it resumes by event id", writeTimeout);
        finish(-1);
    }

    private void finish(long nextOffset) {
        done = true;
        subscription.detach();
        finished.complete(nextOffset);
    }
}
