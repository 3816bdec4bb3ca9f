package dev.tokenlog.fanout.quota;

import java.util.concurrent.atomic.AtomicBoolean;

/** One unit of a tenant's quota; {@link #close()} gives it back, once, however often it is called. */
public final class Slot implements AutoCloseable {
    private final TenantCounts counts;
    private final String tenant;
    private final AtomicBoolean released = new AtomicBoolean();

    Slot(TenantCounts counts, String tenant) {
        this.counts = counts;
        this.tenant = tenant;
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            counts.release(tenant);
        }
    }
}
