package dev.tokenlog.fanout.sse;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One subscriber's place on the {@link LiveTail}: the chunks of its stream read by the tail from
 * {@link #from()} on, queued in order until its reader takes them. The tail never waits for a
 * subscriber: it {@linkplain #offer offers} each chunk, then {@linkplain #wake wakes} the reader once
 * per poll of the log, which runs one task on the reader's Vert.x context ({@link #attach}); before a
 * reader is attached (the subscriber still sends its history) chunks are only queued.
 *
 * <p>Bounded memory: {@link #pending()} counts the chunks offered and not yet {@linkplain #written
 * written out} (queued here, or in the connection's write queue). When an offer makes it exceed the
 * capacity, the subscription is marked {@linkplain #overflowed() overflowed} and gets nothing more; the
 * subscriber is then closed and resumes by event id.
 */
final class Subscription {
    private final String streamId;
    private final long from;
    private final int capacity;
    private final ConcurrentLinkedQueue<ChunkReader.Positioned> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Offered to since the last {@link #wake}; the tail's thread only. */
    private boolean touched;
    private volatile Context context;
    private volatile Runnable reader;
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

    /**
     * Called by the tail's thread only; never blocks.
     *
     * @return true if this is the first offer since the last {@link #wake} (the tail wakes it after its batch)
     */
    boolean offer(ChunkReader.Positioned chunk) {
        if (overflowed || closed) {
            return false;
        }
        if (pending.incrementAndGet() > capacity) {
            overflowed = true; // the reader says why it is closed, at the wake
        } else {
            queue.offer(chunk);
        }
        boolean first = !touched;
        touched = true;
        return first;
    }

    /** Called by the tail's thread after a batch of offers: one task on the reader's context, if one is attached. */
    void wake() {
        touched = false;
        schedule();
    }

    /**
     * Makes {@code reader} take the chunks from now on: it runs on {@code context} once per {@link #wake}
     * (at most one task waiting at a time), once on {@link #close()}, and once now for what is queued already.
     */
    void attach(Context context, Runnable reader) {
        this.context = context;
        this.reader = reader;
        schedule();
    }

    /** Stops running the reader; the chunks stay queued. */
    void detach() {
        reader = null;
    }

    private void schedule() {
        Runnable r = reader;
        if (r != null && scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> {
                scheduled.set(false); // before reading the queue: a later offer schedules again
                Runnable now = reader;
                if (now != null) {
                    now.run();
                }
            });
        }
    }

    /** The next queued chunk, or null; the reader only. Its count stays {@linkplain #pending pending} until {@link #written}. */
    ChunkReader.Positioned poll() {
        return overflowed || closed ? null : queue.poll();
    }

    /** {@code chunks} taken with {@link #poll} have left the connection's write queue (or were not written at all). */
    void written(int chunks) {
        pending.addAndGet(-chunks);
    }

    /** Chunks offered and not yet written out. */
    int pending() {
        return pending.get();
    }

    /** More chunks were pending for this subscriber than its capacity. */
    boolean overflowed() {
        return overflowed;
    }

    /** Whether the connection closed. */
    boolean closed() {
        return closed;
    }

    /** The connection closed: the reader, if attached, runs once more to find out. */
    void close() {
        closed = true;
        queue.clear();
        schedule();
    }
}
