package dev.tokenlog.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A first-token timeout is cleared so the next try of the same target can run; nothing of the
 * timeout may outlive the clear (the stream thread here is the test thread).
 */
class StreamHandleTest {
    private final StreamHandle handle = new StreamHandle(Thread.currentThread(), Long.MAX_VALUE, h -> {});

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void theInterruptOfAFirstTokenTimeoutNeverOutlivesItsClear() throws Exception {
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch cleared = new CountDownLatch(1);
        // Closing the body wakes the stream thread, which clears the timeout while the stop is still
        // under way; the interrupt that follows must not be left for the next try to trip over.
        handle.closeOnStop(() -> {
            closing.countDown();
            try {
                cleared.await(300, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread stopper = Thread.ofPlatform().start(
                () -> handle.stop(new RunningStreams.Stop.FirstTokenTimeout(Duration.ofMillis(1))));
        closing.await();

        handle.clearFirstTokenTimeout();
        cleared.countDown();
        stopper.join();

        assertThat(Thread.currentThread().isInterrupted()).as("an interrupt left after the clear").isFalse();
        assertThat(handle.stopReason()).isNull();
    }

    @Test
    void aClearedFirstTokenTimeoutDoesNotFireAgainBeforeTheNextTry() {
        handle.arm(Duration.ofMillis(1), Duration.ofMillis(1));
        handle.check(System.nanoTime() + TimeUnit.SECONDS.toNanos(1), System.currentTimeMillis());
        assertThat(handle.stopReason()).isInstanceOf(RunningStreams.Stop.FirstTokenTimeout.class);

        handle.clearFirstTokenTimeout();
        handle.check(System.nanoTime() + TimeUnit.SECONDS.toNanos(2), System.currentTimeMillis());

        assertThat(handle.stopReason()).isNull();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aDisarmedHandleDoesNotTimeOutWhileWaitingToRetry() {
        handle.arm(Duration.ofMillis(1), Duration.ofMillis(1));
        handle.disarm();

        handle.check(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), System.currentTimeMillis());

        assertThat(handle.stopReason()).isNull();
    }
}
