package dev.tokenlog.fanout.quota;

import dev.tokenlog.fanout.streams.RequestIndex;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The requests this gateway accepted that have not ended, each holding a
 * {@link Quota#REQUESTS_IN_FLIGHT} slot of its tenant. A request ends when its final answer is in the
 * fold's global answers store (every gateway holds all of them): a sweep looks for the answers of the
 * requests it tracks every {@link #SWEEP_MS} ms, so nothing is added to the per-chunk path. A
 * {@code stream: false} completion releases its request as soon as it has the answer. A request whose
 * end is never seen (the store not answering, say) is released at its deadline or after
 * {@code tokenlog.quotas.in-flight-max-age}, whichever comes first: a lost signal never keeps a slot.
 */
@ApplicationScoped
public class RequestsInFlight {
    private static final Logger LOG = Logger.getLogger(RequestsInFlight.class);
    /** Once a second: a sweep costs a store lookup per request in flight (4 a second: 2.8 % of the gateway at 1,000 streams). */
    static final long SWEEP_MS = 1000;

    private record Held(Slot slot, long expiresAtMillis) {}

    private final Map<String, Held> byId = new ConcurrentHashMap<>();
    private final Predicate<String> answered;
    private final long maxAgeMillis;
    private ScheduledExecutorService sweeper;

    @Inject
    public RequestsInFlight(RequestIndex index, QuotaConfig config) {
        this(index::answered, config.inFlightMaxAge().toMillis());
    }

    RequestsInFlight(Predicate<String> answered, long maxAgeMillis) {
        this.answered = answered;
        this.maxAgeMillis = maxAgeMillis;
    }

    void start(@Observes StartupEvent event) {
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tokenlog-quota-sweep").daemon()
                .factory());
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    /** Request {@code id} was written to Kafka: {@code slot} is released when it ends. */
    void track(String id, Instant deadline, Slot slot) {
        long expires = System.currentTimeMillis() + maxAgeMillis;
        if (deadline != null) {
            expires = Math.min(expires, deadline.toEpochMilli());
        }
        byId.put(id, new Held(slot, expires));
    }

    /** Request {@code id} has ended (its answer is known): its slot is released, once. */
    public void ended(String id) {
        Held held = byId.remove(id);
        if (held != null) {
            held.slot().close();
        }
    }

    /** Releases the slots of the requests that have an answer or are past their expiry. */
    void sweep() {
        try {
            long now = System.currentTimeMillis();
            for (Map.Entry<String, Held> e : byId.entrySet()) {
                if (now >= e.getValue().expiresAtMillis() || answered.test(e.getKey())) {
                    ended(e.getKey());
                }
            }
        } catch (RuntimeException e) {
            // The next sweep tries again; a request past its expiry is released then in any case.
            LOG.warnf("sweeping the requests in flight failed: %s", e.getMessage());
        }
    }

    /** Requests tracked on this instance. */
    int size() {
        return byId.size();
    }
}
