package dev.tokenlog.fanout.sse;

import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A pool of consumers for reading history: creating a consumer (metadata, connections) costs more
 * than reading a short stream, so subscribers that catch up borrow one and give it back. At most
 * {@link #MAX} exist, and one tenant holds at most {@link GatewayConfig#historyReadersPerTenant()} of
 * them at once, so a burst of catch-ups from one tenant (fifty resumes from offset 0) queues behind
 * itself, never in front of another tenant's resume. A subscriber waits for its tenant's share and a
 * free consumer at most {@link GatewayConfig#historyWait()} in all, then is refused with 503 and
 * {@code Retry-After}.
 */
@ApplicationScoped
public class HistoryConsumers {
    static final int MAX = 16;
    /**
     * A fetch of about one poll's worth ({@link ChunkReader#BATCH} chunks of a few hundred bytes): a
     * consumer is handed back after each poll and forgets what it fetched beyond it, so the default
     * 1 MiB per fetch would mostly be read from disk, sent and decoded for nothing. A larger record still
     * comes whole (Kafka returns at least one batch).
     */
    private static final Map<String, Object> FETCH = Map.of(
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 128 * 1024,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 128 * 1024);

    private final FanoutKafka kafka;
    private final Duration wait;
    private final BlockingQueue<Consumer<String, byte[]>> idle = new ArrayBlockingQueue<>(MAX);
    /** Fair: subscribers get consumers in the order they asked, so none waits out the history wait behind newcomers. */
    private final Semaphore permits = new Semaphore(MAX, true);
    private final int perTenant;
    /** Each tenant's share while it holds or waits for a consumer; removed when it does neither. */
    private final Map<String, Share> shares = new HashMap<>();
    private final Counter refused;
    private final Counter records;

    public HistoryConsumers(FanoutKafka kafka, GatewayConfig config, MeterRegistry registry) {
        this.kafka = kafka;
        this.wait = config.historyWait();
        this.perTenant = config.historyReadersPerTenant();
        if (perTenant < 1) {
            throw new IllegalArgumentException("tokenlog.gateway.history-readers-per-tenant must be at least 1, got "
                    + perTenant);
        }
        this.refused = Counter.builder("tokenlog.gateway.sse.history.refused")
                .description("Subscribers answered 503 because no history consumer was free within tokenlog.gateway.history-wait")
                .register(registry);
        this.records = Counter.builder("tokenlog.gateway.sse.history.records")
                .description("Records of llm.chunks read from the log for subscribers' history, their own and other streams'")
                .register(registry);
    }

    /** A tenant's permits (fair, as the pool's) and how many of its subscribers hold or wait for one. */
    private static final class Share {
        final Semaphore permits;
        int users;

        Share(int size) {
            permits = new Semaphore(size, true);
        }
    }

    /**
     * A consumer for a subscriber of {@code tenant}, to assign and seek as it needs; give it back with
     * {@link #release}. 503 if the tenant's share and a free consumer are not both had in time.
     */
    Consumer<String, byte[]> borrow(String tenant) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Share share = join(tenant);
        boolean shared = false;
        boolean pooled = false;
        try {
            shared = share.permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
            pooled = shared && permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!pooled) {
                refused.increment();
                throw new ApiException(503, "history_busy", "every history reader this gateway gives a client is "
                        + "busy; reconnect after the Retry-After delay with the same Last-Event-ID");
            }
            Consumer<String, byte[]> consumer = idle.poll();
            return consumer != null ? consumer : kafka.clients().consumer(null, "tokenlog-sse-history", FETCH);
        } catch (InterruptedException | RuntimeException e) {
            if (pooled) {
                permits.release();
            }
            leave(tenant, shared);
            throw e;
        }
    }

    private synchronized Share join(String tenant) {
        Share share = shares.computeIfAbsent(tenant, t -> new Share(perTenant));
        share.users++;
        return share;
    }

    /** Ends a subscriber's use of its tenant's share, giving back its permit if it had one. */
    private synchronized void leave(String tenant, boolean shared) {
        Share share = shares.get(tenant);
        if (shared) {
            share.permits.release();
        }
        if (--share.users == 0) {
            shares.remove(tenant);
        }
    }

    /** How many subscribers of {@code tenant} hold or wait for a consumer (0 when none do). */
    synchronized int users(String tenant) {
        Share share = shares.get(tenant);
        return share == null ? 0 : share.users;
    }

    /** Counts records a borrowed consumer read (once per poll, never per record). */
    void read(int count) {
        records.increment(count);
    }

    /** Gives back a consumer that {@link #borrow} lent to a subscriber of {@code tenant}. */
    void release(String tenant, Consumer<String, byte[]> consumer) {
        try {
            // It keeps its partition until the next borrower assigns its own: with the topic unchanged, that
            // costs no metadata request (an empty assignment would make every borrow fetch metadata again).
            if (!idle.offer(consumer)) {
                consumer.close();
            }
        } catch (RuntimeException e) {
            consumer.close(); // a broken consumer is not reused
        } finally {
            permits.release();
            leave(tenant, true);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        for (Consumer<String, byte[]> c; (c = idle.poll()) != null; ) {
            c.close();
        }
    }
}
