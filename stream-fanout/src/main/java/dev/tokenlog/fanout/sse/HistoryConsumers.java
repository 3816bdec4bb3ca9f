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
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * A pool of consumers for reading history: creating a consumer (metadata, connections) costs more
 * than reading a short stream, so subscribers that catch up borrow one and give it back. At most
 * {@link #MAX} exist; a subscriber waits for a free one at most {@link GatewayConfig#historyWait()},
 * then is refused with 503 and {@code Retry-After}, so a burst of catch-ups never queues every other
 * one behind it.
 */
@ApplicationScoped
public class HistoryConsumers {
    static final int MAX = 16;

    private final FanoutKafka kafka;
    private final Duration wait;
    private final BlockingQueue<Consumer<String, byte[]>> idle = new ArrayBlockingQueue<>(MAX);
    /** Fair: subscribers get consumers in the order they asked, so none waits out the history wait behind newcomers. */
    private final Semaphore permits = new Semaphore(MAX, true);
    private final Counter refused;
    private final Counter records;

    public HistoryConsumers(FanoutKafka kafka, GatewayConfig config, MeterRegistry registry) {
        this.kafka = kafka;
        this.wait = config.historyWait();
        this.refused = Counter.builder("tokenlog.gateway.sse.history.refused")
                .description("Subscribers answered 503 because no history consumer was free within tokenlog.gateway.history-wait")
                .register(registry);
        this.records = Counter.builder("tokenlog.gateway.sse.history.records")
                .description("Records of llm.chunks read from the log for subscribers' history, their own and other streams'")
                .register(registry);
    }

    /** A consumer with no assignment; give it back with {@link #release}. 503 if none is free in time. */
    Consumer<String, byte[]> borrow() throws InterruptedException {
        if (!permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            refused.increment();
            throw new ApiException(503, "history_busy", "every history reader of this gateway is busy; "
                    + "reconnect after the Retry-After delay with the same Last-Event-ID");
        }
        Consumer<String, byte[]> consumer = idle.poll();
        try {
            return consumer != null ? consumer : kafka.clients().consumer(null, "tokenlog-sse-history");
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Counts records a borrowed consumer read (once per poll, never per record). */
    void read(int count) {
        records.increment(count);
    }

    void release(Consumer<String, byte[]> consumer) {
        try {
            consumer.assign(List.of());
            if (!idle.offer(consumer)) {
                consumer.close();
            }
        } catch (RuntimeException e) {
            consumer.close(); // a broken consumer is not reused
        } finally {
            permits.release();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        for (Consumer<String, byte[]> c; (c = idle.poll()) != null; ) {
            c.close();
        }
    }
}
