package dev.tokenlog.fanout.quota;

import java.util.Optional;

/** The quotas a tenant has on one gateway instance, each a count of things it holds at once. */
public enum Quota {
    /** Requests accepted by this gateway and not yet ended. */
    REQUESTS_IN_FLIGHT("requests-in-flight", "requests in flight (accepted and not yet ended)"),
    /** Open SSE responses of {@code GET /v1/streams/{id}/events}. */
    SUBSCRIPTIONS("subscriptions", "open event subscriptions"),
    /** {@code stream: false} chat completions waiting for their answer (each keeps its request body). */
    WAITING_COMPLETIONS("waiting-completions", "non-streaming completions waiting for their answer");

    private final String key;
    private final String what;

    Quota(String key, String what) {
        this.key = key;
        this.what = what;
    }

    /** The name in settings and in the {@code quota} label of the metrics. */
    public String key() {
        return key;
    }

    /** The setting of its default limit. */
    public String setting() {
        return "tokenlog.quotas." + key;
    }

    /** What is counted, for error messages. */
    String what() {
        return what;
    }

    int limit(QuotaConfig config) {
        return switch (this) {
            case REQUESTS_IN_FLIGHT -> config.requestsInFlight();
            case SUBSCRIPTIONS -> config.subscriptions();
            case WAITING_COMPLETIONS -> config.waitingCompletions();
        };
    }

    Optional<Integer> limit(QuotaConfig.TenantLimits tenant) {
        return switch (this) {
            case REQUESTS_IN_FLIGHT -> tenant.requestsInFlight();
            case SUBSCRIPTIONS -> tenant.subscriptions();
            case WAITING_COMPLETIONS -> tenant.waitingCompletions();
        };
    }
}
