package dev.tokenlog.fanout.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Limits per tenant, the 429 and its counter, and an admission that takes nothing when refused. */
class QuotasTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void aTenantsOwnLimitOverridesTheDefault() {
        Quotas quotas = quotas(3, Map.of("acme", limits(Optional.of(1), Optional.empty())));
        assertThat(quotas.limit(Quota.REQUESTS_IN_FLIGHT, "acme")).isEqualTo(1);
        assertThat(quotas.limit(Quota.WAITING_COMPLETIONS, "acme")).as("not overridden").isEqualTo(3);
        assertThat(quotas.limit(Quota.REQUESTS_IN_FLIGHT, "10.0.0.7")).isEqualTo(3);
    }

    @Test
    void overTheLimitIsA429NamingTheQuotaWithRetryAfterAndIsCounted() {
        Quotas quotas = quotas(1, Map.of());
        Slot held = quotas.acquire(Quota.SUBSCRIPTIONS, "10.0.0.7");
        assertThatThrownBy(() -> quotas.acquire(Quota.SUBSCRIPTIONS, "10.0.0.7"))
                .isInstanceOfSatisfying(QuotaExceeded.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("quota_exceeded");
                    assertThat(e.getMessage()).contains("tokenlog.quotas.subscriptions").contains("has 1 open event");
                    assertThat(e.retryAfter()).isEqualTo("2");
                });
        assertThat(registry.get("tokenlog.gateway.quota.rejections").tag("quota", "subscriptions").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("tokenlog.gateway.quota.held").tag("quota", "subscriptions").gauge().value())
                .isEqualTo(1);
        held.close();
        quotas.acquire(Quota.SUBSCRIPTIONS, "10.0.0.7").close();
    }

    @Test
    void anAdmissionRefusedForItsWaitingSlotHoldsNoRequestSlot() {
        Quotas quotas = quotas(1, Map.of());
        Admission waiting = quotas.admit("t", true);
        assertThatThrownBy(() -> quotas.admit("t", true)).isInstanceOf(QuotaExceeded.class);
        waiting.close();
        assertThat(quotas.held(Quota.REQUESTS_IN_FLIGHT, "t")).isZero();
        assertThat(quotas.held(Quota.WAITING_COMPLETIONS, "t")).isZero();
    }

    @Test
    void theTenantIsTheKeysTenantElseTheAddress() {
        Quotas quotas = quotas(1, Map.of());
        assertThat(quotas.tenant("acme", SocketAddress.inetSocketAddress(1234, "10.0.0.7"))).isEqualTo("acme");
        assertThat(quotas.tenant(null, SocketAddress.inetSocketAddress(1234, "10.0.0.7"))).isEqualTo("10.0.0.7");
    }

    @Test
    void aLimitBelowOneIsRefusedAtStartNamingTheSetting() {
        assertThatThrownBy(() -> quotas(1, Map.of("acme", limits(Optional.of(0), Optional.empty()))))
                .hasMessageContaining("tokenlog.quotas.tenants.acme.requests-in-flight must be at least 1");
    }

    private Quotas quotas(int limit, Map<String, QuotaConfig.TenantLimits> tenants) {
        QuotaConfig config = new QuotaConfig() {
            public int requestsInFlight() {
                return limit;
            }

            public int subscriptions() {
                return limit;
            }

            public int waitingCompletions() {
                return limit;
            }

            public Duration retryAfter() {
                return Duration.ofMillis(1500);
            }

            public Duration inFlightMaxAge() {
                return Duration.ofHours(1);
            }

            public Map<String, TenantLimits> tenants() {
                return tenants;
            }
        };
        return new Quotas(config, null, new RequestsInFlight(id -> false, 60_000), registry);
    }

    private static QuotaConfig.TenantLimits limits(Optional<Integer> inFlight, Optional<Integer> waiting) {
        return new QuotaConfig.TenantLimits() {
            public Optional<Integer> requestsInFlight() {
                return inFlight;
            }

            public Optional<Integer> subscriptions() {
                return Optional.empty();
            }

            public Optional<Integer> waitingCompletions() {
                return waiting;
            }
        };
    }
}
