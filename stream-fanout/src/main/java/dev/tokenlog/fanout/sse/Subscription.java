package dev.tokenlog.fanout.sse;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One subscriber's place on the {@link LiveTail}: the chunks of its stream read by the tail from
 * {@link #from()} on, in a bounded buffer. The tail never waits for a subscriber: when the buffer is
 * full the subscription is marked {@linkplain #overflowed() overflowed} and gets nothing more; the
 * subscriber is then closed and resumes by event id.
 */
final class Subscription {
    /** Wakes the subscriber's thread when its connection closes. */
    private static final ChunkReader.Positioned CLOSED = new ChunkReader.Positioned(new EventId(0, -1), null);

    private final String streamId;
    private final long from;
    private final int capacity;
    private final LinkedBlockingQueue<ChunkReader.Positioned> buffer = new LinkedBlockingQueue<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private volatile boolean overflowed;
    private volatile boolean closed;

    Subscription(String streamId, long from, int capacity) {
        this.streamId = streamId;
        this.from = from;
        this.capacity = capacity;
    }

    String streamId() {
        return streamId;
    }

    /** The first offset the tail delivers here: everything before it must be read as history. */
    long from() {
        return from;
    }

    /** Called by the tail's thread only; never blocks. */
    void offer(ChunkReader.Positioned chunk) {
        if (overflowed || closed) {
            return;
        }
        if (buffered.incrementAndGet() > capacity) {
            overflowed = true;
            buffer.offer(CLOSED); // wake the subscriber so it can say why it is closed
            return;
        }
        buffer.offer(chunk);
    }

    /** The next buffered chunk, or null after {@code timeout}, on overflow or once closed. */
    ChunkReader.Positioned poll(Duration timeout) throws InterruptedException {
        if (overflowed || closed) {
            return null;
        }
        ChunkReader.Positioned next = buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (next == CLOSED || next == null) {
            return null;
        }
        buffered.decrementAndGet();
        return next;
    }

    /** Moves up to {@code max} chunks already buffered into {@code into}, without waiting. */
    void drainTo(java.util.List<ChunkReader.Positioned> into, int max) {
        for (int i = 0; i < max; i++) {
            ChunkReader.Positioned next = buffer.poll();
            if (next == null) {
                return;
            }
            if (next == CLOSED) {
                buffer.offer(CLOSED); // keep the wake-up for the next poll
                return;
            }
            buffered.decrementAndGet();
            into.add(next);
        }
    }

    /** More chunks arrived for this subscriber than its buffer holds. */
    boolean overflowed() {
        return overflowed;
    }

    /** The connection closed: wakes the subscriber's thread. */
    void close() {
        closed = true;
        buffer.offer(CLOSED);
    }
}
