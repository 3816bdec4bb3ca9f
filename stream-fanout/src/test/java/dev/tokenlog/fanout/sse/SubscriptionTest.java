package dev.tokenlog.fanout.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.TextDelta;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The bounded per-subscriber buffer of the live tail. */
class SubscriptionTest {
    private static ChunkReader.Positioned chunk(long offset) {
        return new ChunkReader.Positioned(new EventId(0, offset),
                new ChunkRecord("s", "a1", offset, Instant.EPOCH, new TextDelta("t" + offset)));
    }

    @Test
    void deliversInOrderUpToItsCapacity() throws Exception {
        Subscription s = new Subscription("s", 10, 3);
        s.offer(chunk(10));
        s.offer(chunk(11));
        assertThat(s.poll(Duration.ZERO).position().offset()).isEqualTo(10);
        s.offer(chunk(12));
        s.offer(chunk(13));
        assertThat(s.overflowed()).isFalse();
        assertThat(s.poll(Duration.ZERO).position().offset()).isEqualTo(11);
        assertThat(s.poll(Duration.ZERO).position().offset()).isEqualTo(12);
        assertThat(s.poll(Duration.ZERO).position().offset()).isEqualTo(13);
        assertThat(s.poll(Duration.ofMillis(10))).isNull();
    }

    @Test
    void aSubscriberThatFallsBehindIsMarkedAndGetsNothingMore() throws Exception {
        Subscription s = new Subscription("s", 0, 2);
        s.offer(chunk(0));
        s.offer(chunk(1));
        s.offer(chunk(2));
        assertThat(s.overflowed()).isTrue();
        assertThat(s.poll(Duration.ofSeconds(5))).as("returns at once, without waiting").isNull();
    }

    @Test
    void closingWakesAWaitingSubscriber() throws Exception {
        Subscription s = new Subscription("s", 0, 2);
        java.util.concurrent.atomic.AtomicReference<Object> got = new java.util.concurrent.atomic.AtomicReference<>("nothing yet");
        Thread waiting = Thread.ofPlatform().start(() -> {
            try {
                got.set(s.poll(Duration.ofMinutes(5)));
            } catch (InterruptedException e) {
                got.set(e);
            }
        });
        org.awaitility.Awaitility.await().until(() -> waiting.getState() == Thread.State.TIMED_WAITING);
        s.close();
        waiting.join(Duration.ofSeconds(30));
        assertThat(waiting.isAlive()).as("woken by close, not by the 5 minute timeout").isFalse();
        assertThat(got.get()).isNull();
    }
}
