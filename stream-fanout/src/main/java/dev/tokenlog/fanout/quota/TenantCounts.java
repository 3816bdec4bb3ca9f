package dev.tokenlog.fanout.quota;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many units of one quota each tenant holds. A tenant's entry exists only while it holds one, so
 * the map stays as small as the set of active tenants (with auth off, every client address is one).
 */
final class TenantCounts {
    private final Map<String, Integer> byTenant = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    /** A unit for {@code tenant}, or null when it already holds {@code limit}. */
    Slot tryAcquire(String tenant, int limit) {
        boolean[] granted = {false};
        byTenant.compute(tenant, (k, held) -> {
            int n = held == null ? 0 : held;
            if (n >= limit) {
                return held;
            }
            granted[0] = true;
            return n + 1;
        });
        if (!granted[0]) {
            return null;
        }
        total.incrementAndGet();
        return new Slot(this, tenant);
    }

    void release(String tenant) {
        byTenant.computeIfPresent(tenant, (k, held) -> held <= 1 ? null : held - 1);
        total.decrementAndGet();
    }

    int held(String tenant) {
        return byTenant.getOrDefault(tenant, 0);
    }

    int total() {
        return total.get();
    }
}
