package dev.tokenlog.fanout.quota;

import dev.tokenlog.fanout.api.ApiException;

/** A 429: the tenant holds as many units of a quota as it may; the response carries {@code Retry-After}. */
public final class QuotaExceeded extends ApiException {
    private final Quota quota;
    private final long retryAfterSeconds;

    QuotaExceeded(Quota quota, String tenant, int limit, long retryAfterSeconds) {
        super(429, "quota_exceeded", "quota exceeded: '" + tenant + "' has " + limit + " " + quota.what()
                + " on this gateway, its limit (" + quota.setting() + "); retry after " + retryAfterSeconds
                + " s, once one of them has ended");
        this.quota = quota;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Quota quota() {
        return quota;
    }

    /** The value of the {@code Retry-After} header. */
    public String retryAfter() {
        return Long.toString(retryAfterSeconds);
    }
}
