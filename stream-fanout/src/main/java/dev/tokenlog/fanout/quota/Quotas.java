package dev.tokenlog.fanout.quota;

import dev.tokenlog.fanout.api.Access;
import dev.tokenlog.fanout.api.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Per-tenant quotas of this gateway instance ({@link QuotaConfig}): a route takes a {@link Slot}
 * before it starts what the quota counts and closes it when that ends; over the limit it gets a
 * {@link QuotaExceeded} (429 with {@code Retry-After}), counted in
 * {@code tokenlog_gateway_quota_rejections_total{quota}} (no tenant label: with auth off every client
 * address is a tenant). Created at startup, so its settings are checked and its metrics exist from then on.
 */
@Startup
@ApplicationScoped
public class Quotas {
    private final QuotaConfig config;
    private final Access access;
    private final RequestsInFlight requests;
    private final long retryAfterSeconds;
    private final Map<Quota, TenantCounts> counts = new EnumMap<>(Quota.class);
    private final Map<Quota, Counter> rejections = new EnumMap<>(Quota.class);

    public Quotas(QuotaConfig config, Access access, RequestsInFlight requests, MeterRegistry registry) {
        this.config = config;
        this.access = access;
        this.requests = requests;
        this.retryAfterSeconds = Math.max(1, (config.retryAfter().toMillis() + 999) / 1000);
        for (Quota quota : Quota.values()) {
            requirePositive(quota.setting(), quota.limit(config));
            config.tenants().forEach((tenant, limits) -> quota.limit(limits)
                    .ifPresent(limit -> requirePositive("tokenlog.quotas.tenants." + tenant + "." + quota.key(), limit)));
            TenantCounts held = new TenantCounts();
            counts.put(quota, held);
            rejections.put(quota, Counter.builder("tokenlog.gateway.quota.rejections").tag("quota", quota.key())
                    .description("Requests refused with 429 because their tenant was at a quota's limit")
                    .register(registry));
            Gauge.builder("tokenlog.gateway.quota.held", held, TenantCounts::total).tag("quota", quota.key())
                    .description("Units of a quota held on this instance, all tenants together").register(registry);
        }
    }

    private static void requirePositive(String setting, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1, got " + limit);
        }
    }

    /** The tenant of a caller: its API key's tenant ({@code keyTenant}, null when auth is off), else its address. */
    public String tenant(String keyTenant, SocketAddress client) {
        return keyTenant != null ? keyTenant : address(client);
    }

    /**
     * The tenant of a subscriber, who may present a stream token instead of a key: its key's tenant,
     * else the stream's {@code owner} (whose token it holds), else its address.
     */
    public String subscriber(UnaryOperator<String> header, String owner, SocketAddress client) {
        if (access.enabled()) {
            try {
                return access.tenant(header).orElseThrow();
            } catch (ApiException e) {
                // no key, or not a valid one: the read was allowed by the stream's token
            }
            if (owner != null) {
                return owner;
            }
        }
        return address(client);
    }

    private static String address(SocketAddress client) {
        String host = client == null ? null : client.hostAddress();
        return host == null ? "unknown" : host;
    }

    /**
     * A unit of {@code quota} for {@code tenant}.
     *
     * @throws QuotaExceeded when the tenant already holds its limit
     */
    public Slot acquire(Quota quota, String tenant) {
        int limit = limit(quota, tenant);
        Slot slot = counts.get(quota).tryAcquire(tenant, limit);
        if (slot == null) {
            rejections.get(quota).increment();
            throw new QuotaExceeded(quota, tenant, limit, retryAfterSeconds);
        }
        return slot;
    }

    /** Throws {@link QuotaExceeded} if {@code tenant} could not take a unit of {@code quota} now; takes none. */
    public void check(Quota quota, String tenant) {
        acquire(quota, tenant).close();
    }

    /**
     * The claims of a new request of {@code tenant}: a request in flight, and a waiting completion if it
     * {@code waits} for its answer.
     *
     * @throws QuotaExceeded when either is at its limit (then nothing is held)
     */
    public Admission admit(String tenant, boolean waits) {
        Slot inFlight = acquire(Quota.REQUESTS_IN_FLIGHT, tenant);
        try {
            return new Admission(requests, inFlight, waits ? acquire(Quota.WAITING_COMPLETIONS, tenant) : null);
        } catch (RuntimeException e) {
            inFlight.close();
            throw e;
        }
    }

    /** The limit of {@code quota} for {@code tenant}: its own if configured, else the default. */
    int limit(Quota quota, String tenant) {
        QuotaConfig.TenantLimits own = config.tenants().get(tenant);
        return own == null ? quota.limit(config) : quota.limit(own).orElse(quota.limit(config));
    }

    /** Units of {@code quota} that {@code tenant} holds on this instance. */
    public int held(Quota quota, String tenant) {
        return counts.get(quota).held(tenant);
    }
}
