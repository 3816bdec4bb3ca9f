package dev.tokenlog.fanout.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.TextDelta;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded per-subscriber queue of the live tail, and how it wakes its reader. */
class SubscriptionTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static ChunkReader.Positioned chunk(long offset) {
        return new ChunkReader.Positioned(new EventId(0, offset),
                new ChunkRecord("s", "a1", offset, Instant.EPOCH, new TextDelta("t" + offset)));
    }

    @Test
    void deliversInOrderUpToItsCapacity() {
        Subscription s = new Subscription("s", 10, 3);
        s.offer(chunk(10));
        s.offer(chunk(11));
        assertThat(s.poll().position().offset()).isEqualTo(10);
        s.written(1);
        s.offer(chunk(12));
        s.offer(chunk(13));
        assertThat(s.overflowed()).isFalse();
        assertThat(s.poll().position().offset()).isEqualTo(11);
        assertThat(s.poll().position().offset()).isEqualTo(12);
        assertThat(s.poll().position().offset()).isEqualTo(13);
        assertThat(s.poll()).isNull();
    }

    @Test
    void aSubscriberThatFallsBehindIsMarkedAndGetsNothingMore() {
        Subscription s = new Subscription("s", 0, 2);
        s.offer(chunk(0));
        s.offer(chunk(1));
        s.offer(chunk(2));
        assertThat(s.overflowed()).isTrue();
        assertThat(s.poll()).isNull();
    }

    @Test
    void chunksTakenButNotYetWrittenOutStillCountAgainstTheCapacity() {
        Subscription s = new Subscription("s", 0, 2);
        s.offer(chunk(0));
        s.offer(chunk(1));
        assertThat(s.poll()).isNotNull();
        assertThat(s.poll()).isNotNull();
        assertThat(s.pending()).isEqualTo(2);
        s.offer(chunk(2)); // the first two still sit in the connection's write queue
        assertThat(s.overflowed()).isTrue();
    }

    @Test
    void theReaderRunsOnItsContextOncePerWakeAndFirstForWhatWasQueuedBeforeItCame() {
        Subscription s = new Subscription("s", 0, 100);
        assertThat(s.offer(chunk(0))).as("first offer of a batch").isTrue();
        assertThat(s.offer(chunk(1))).as("second offer of the batch").isFalse();
        s.wake(); // no reader yet: the chunks stay queued
        List<Long> got = new CopyOnWriteArrayList<>();
        AtomicInteger runs = new AtomicInteger();
        List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();
        Context context = vertx.getOrCreateContext();
        s.attach(context, () -> {
            runs.incrementAndGet();
            onEventLoop.add(Context.isOnEventLoopThread());
            for (ChunkReader.Positioned p; (p = s.poll()) != null; ) {
                got.add(p.position().offset());
            }
        });
        await().until(() -> got.size() == 2);
        for (long offset = 2; offset < 6; offset++) {
            s.offer(chunk(offset));
        }
        s.wake();
        await().until(() -> got.size() == 6);
        assertThat(got).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(runs.get()).as("one run at attach, one for the batch of four").isEqualTo(2);
        assertThat(onEventLoop).containsOnly(true);

        s.close();
        await().until(() -> runs.get() == 3);
        assertThat(s.closed()).isTrue();
        assertThat(s.poll()).isNull();
    }
}
