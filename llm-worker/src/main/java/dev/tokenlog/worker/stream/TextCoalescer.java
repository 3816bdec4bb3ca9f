package dev.tokenlog.worker.stream;

import dev.tokenlog.worker.provider.ProviderEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Optionally merges consecutive text deltas that arrive within a window into one event, trading up
 * to one window of latency for fewer chunk records. Any other event, or the window running out,
 * flushes the merged text first, so order is kept. With a zero window every event passes through.
 */
final class TextCoalescer implements Consumer<ProviderEvent> {
    private final Duration window;
    private final ScheduledExecutorService timer;
    private final Consumer<ProviderEvent> downstream;
    private final StringBuilder pending = new StringBuilder();
    private ScheduledFuture<?> flushTask;

    TextCoalescer(Duration window, ScheduledExecutorService timer, Consumer<ProviderEvent> downstream) {
        this.window = window;
        this.timer = timer;
        this.downstream = downstream;
    }

    @Override
    public synchronized void accept(ProviderEvent event) {
        if (window.isZero() || window.isNegative()) {
            downstream.accept(event);
            return;
        }
        if (event instanceof ProviderEvent.Text text) {
            if (pending.isEmpty()) {
                flushTask = timer.schedule(this::flush, window.toNanos(), TimeUnit.NANOSECONDS);
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
            downstream.accept(new ProviderEvent.Text(text));
        }
    }
}
