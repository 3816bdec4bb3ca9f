package dev.tokenlog.worker.stream;

import dev.tokenlog.worker.provider.ProviderEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Optionally merges text deltas so that one stream publishes at most one text chunk per window, with no
 * delay for a stream that is slower than that: a delta after a quiet window (nothing published for at
 * least the window) goes out at once; deltas that follow within the window are merged and go out as
 * one when the window since the last publish runs out. So a model streaming 100 tokens/s with a 20 ms
 * window publishes about 50 chunks/s, each at most 20 ms late, while one streaming 20 tokens/s is not
 * delayed at all. Any other event flushes the merged text first, so order is kept. With a zero window
 * every event passes through.
 */
final class TextCoalescer implements Consumer<ProviderEvent> {
    private final long windowNanos;
    private final ScheduledExecutorService timer;
    private final Consumer<ProviderEvent> downstream;
    private final LongSupplier nanoTime;
    private final StringBuilder pending = new StringBuilder();
    private ScheduledFuture<?> flushTask;
    /** When text was last published; far enough in the past at first that the first delta goes at once. */
    private long lastPublish;

    TextCoalescer(Duration window, ScheduledExecutorService timer, Consumer<ProviderEvent> downstream) {
        this(window, timer, downstream, System::nanoTime);
    }

    TextCoalescer(Duration window, ScheduledExecutorService timer, Consumer<ProviderEvent> downstream,
                  LongSupplier nanoTime) {
        this.windowNanos = Math.max(0, window.toNanos());
        this.timer = timer;
        this.downstream = downstream;
        this.nanoTime = nanoTime;
        this.lastPublish = nanoTime.getAsLong() - windowNanos;
    }

    @Override
    public synchronized void accept(ProviderEvent event) {
        if (windowNanos == 0) {
            downstream.accept(event);
            return;
        }
        if (event instanceof ProviderEvent.Text text) {
            long now = nanoTime.getAsLong();
            if (pending.isEmpty() && now - lastPublish >= windowNanos) {
                lastPublish = now;
                downstream.accept(text);
                return;
            }
            if (pending.isEmpty()) {
                flushTask = timer.schedule(this::flush, lastPublish + windowNanos - now, TimeUnit.NANOSECONDS);
            }
            pending.append(text.text());
            return;
        }
        flush();
        downstream.accept(event);
    }

    /** Publishes merged text now (also called when the stream ends without another event). */
    synchronized void flush() {
        if (flushTask != null) {
            flushTask.cancel(false);
            flushTask = null;
        }
        if (!pending.isEmpty()) {
            String text = pending.toString();
            pending.setLength(0);
            lastPublish = nanoTime.getAsLong();
            downstream.accept(new ProviderEvent.Text(text));
        }
    }
}
