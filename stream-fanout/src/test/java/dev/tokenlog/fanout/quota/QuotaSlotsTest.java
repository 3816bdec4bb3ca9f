package dev.tokenlog.fanout.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Counting, releasing exactly once, and the ends of a request in flight, without an app. */
class QuotaSlotsTest {

    @Test
    void aTenantGetsUnitsUpToItsLimitAndOthersAreNotAffected() {
        TenantCounts counts = new TenantCounts();
        Slot a1 = counts.tryAcquire("a", 2);
        Slot a2 = counts.tryAcquire("a", 2);
        assertThat(a1).isNotNull();
        assertThat(a2).isNotNull();
        assertThat(counts.tryAcquire("a", 2)).as("over the limit").isNull();
        assertThat(counts.tryAcquire("b", 2)).as("another tenant").isNotNull();
        assertThat(counts.held("a")).isEqualTo(2);
        assertThat(counts.total()).isEqualTo(3);
        a1.close();
        assertThat(counts.tryAcquire("a", 2)).as("a unit given back").isNotNull();
    }

    @Test
    void aSlotIsReleasedOnceHoweverOftenItIsClosed() {
        TenantCounts counts = new TenantCounts();
        Slot first = counts.tryAcquire("a", 5);
        Slot second = counts.tryAcquire("a", 5);
        first.close();
        first.close();
        first.close();
        assertThat(counts.held("a")).isEqualTo(1);
        second.close();
        assertThat(counts.held("a")).isZero();
        assertThat(counts.total()).isZero();
    }

    @Test
    void anAdmissionNotAcceptedGivesEverythingBack() {
        TenantCounts inFlight = new TenantCounts();
        TenantCounts waiting = new TenantCounts();
        RequestsInFlight requests = new RequestsInFlight(id -> false, 60_000);
        try (Admission admission = new Admission(requests, inFlight.tryAcquire("a", 1), waiting.tryAcquire("a", 1))) {
            assertThat(inFlight.held("a")).isEqualTo(1);
            assertThat(admission).isNotNull(); // e.g. writing the request to Kafka failed here
        }
        assertThat(inFlight.held("a")).isZero();
        assertThat(waiting.held("a")).isZero();
    }

    @Test
    void aTrackedRequestHoldsItsSlotUntilItsAnswerIsSeenAndIsReleasedOnce() {
        TenantCounts inFlight = new TenantCounts();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        RequestsInFlight requests = new RequestsInFlight(answered::contains, 60_000);
        requests.track("r1", null, inFlight.tryAcquire("a", 2));
        requests.track("r2", null, inFlight.tryAcquire("a", 2));
        requests.sweep();
        assertThat(inFlight.held("a")).as("no answer yet").isEqualTo(2);

        answered.add("r1");
        requests.sweep();
        requests.ended("r1"); // a second signal of the same end (the waiter's) changes nothing
        requests.sweep();
        assertThat(inFlight.held("a")).isEqualTo(1);
        assertThat(requests.size()).isEqualTo(1);
        requests.ended("r2");
        assertThat(inFlight.held("a")).isZero();
    }

    @Test
    void aRequestWhoseEndIsNeverSeenIsReleasedAtItsDeadlineOrMaxAge() {
        TenantCounts inFlight = new TenantCounts();
        RequestsInFlight requests = new RequestsInFlight(id -> false, 60_000);
        requests.track("past-deadline", Instant.now().minusMillis(1), inFlight.tryAcquire("a", 9));
        requests.track("running", Instant.now().plusSeconds(60), inFlight.tryAcquire("a", 9));
        requests.sweep();
        assertThat(inFlight.held("a")).isEqualTo(1);

        RequestsInFlight aged = new RequestsInFlight(id -> false, 0);
        aged.track("no-deadline", null, inFlight.tryAcquire("a", 9));
        aged.sweep();
        assertThat(inFlight.held("a")).isEqualTo(1);
    }

    @Test
    void aFailingAnswerLookupDoesNotStopTheSweep() {
        TenantCounts inFlight = new TenantCounts();
        RequestsInFlight requests = new RequestsInFlight(id -> {
            throw new IllegalStateException("store not ready");
        }, 60_000);
        requests.track("r", null, inFlight.tryAcquire("a", 1));
        requests.sweep();
        assertThat(requests.size()).isEqualTo(1);
    }
}
