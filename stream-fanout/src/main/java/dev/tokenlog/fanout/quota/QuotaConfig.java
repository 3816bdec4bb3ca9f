package dev.tokenlog.fanout.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Per-tenant quotas of one gateway instance (see {@link Quota}). The tenant is the API key's tenant
 * when {@code tokenlog.auth.enabled}, else the client's address. Counts are kept per instance: behind
 * a load balancer over N gateways a tenant may hold up to N times each limit.
 */
@ConfigMapping(prefix = "tokenlog.quotas")
public interface QuotaConfig {

    /** Requests a tenant may have accepted by this gateway and not yet ended. */
    @WithDefault("200")
    int requestsInFlight();

    /** {@code GET /v1/streams/{id}/events} responses a tenant may hold open on this gateway. */
    @WithDefault("1000")
    int subscriptions();

    /** {@code POST /v1/chat/completions} calls with {@code stream: false} a tenant may have waiting for their answer. */
    @WithDefault("50")
    int waitingCompletions();

    /** The {@code Retry-After} sent with a 429 (whole seconds, at least 1). */
    @WithDefault("2s")
    Duration retryAfter();

    /**
     * The longest a request counts as in flight when the gateway never sees it end (its answer is
     * normally seen within a second of its terminal chunk): a lost signal never holds a slot for ever.
     * A request with {@code deadline_ms} is released at its deadline if that is sooner.
     */
    @WithDefault("1h")
    Duration inFlightMaxAge();

    /**
     * Limits of particular tenants, overriding the defaults above:
     * {@code tokenlog.quotas.tenants.acme.requests-in-flight=1000}; for an address (auth off) quote it,
     * {@code tokenlog.quotas.tenants."10.0.0.7".subscriptions=5000}.
     */
    Map<String, TenantLimits> tenants();

    /** One tenant's limits; an absent one is the default. */
    interface TenantLimits {
        Optional<Integer> requestsInFlight();

        Optional<Integer> subscriptions();

        Optional<Integer> waitingCompletions();
    }
}
