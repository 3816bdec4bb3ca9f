package dev.tokenlog.fanout.sse;

import dev.tokenlog.fanout.FanoutKafka;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * A pool of consumers for reading history: creating a consumer (metadata, connections) costs more
 * than reading a short stream, so subscribers that catch up borrow one and give it back. At most
 * {@link #MAX} exist; a subscriber waits for a free one when all are lent.
 */
@ApplicationScoped
public class HistoryConsumers {
    static final int MAX = 16;

    private final FanoutKafka kafka;
    private final BlockingQueue<Consumer<String, byte[]>> idle = new ArrayBlockingQueue<>(MAX);
    private final Semaphore permits = new Semaphore(MAX);

    public HistoryConsumers(FanoutKafka kafka) {
        this.kafka = kafka;
    }

    /** A consumer with no assignment; give it back with {@link #release}. */
    Consumer<String, byte[]> borrow() throws InterruptedException {
        if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no history consumer free for 60 s");
        }
        Consumer<String, byte[]> consumer = idle.poll();
        return consumer != null ? consumer : kafka.clients().consumer(null, "tokenlog-sse-history");
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
