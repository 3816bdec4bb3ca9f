package dev.tokenlog.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TextCoalescerTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ProviderEvent> out = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void zeroWindowPassesEveryEventThrough() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ZERO, timer, out::add);
        coalescer.accept(new ProviderEvent.Text("a"));
        coalescer.accept(new ProviderEvent.Text("b"));
        assertThat(out).containsExactly(new ProviderEvent.Text("a"), new ProviderEvent.Text("b"));
    }

    @Test
    void aDeltaAfterAQuietWindowGoesOutAtOnceSoASlowStreamGainsNoLatency() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMillis(20), timer, out::add, clock::get);
        coalescer.accept(new ProviderEvent.Text("a"));
        clock.addAndGet(Duration.ofMillis(50).toNanos()); // 20 tokens/s: slower than the window
        coalescer.accept(new ProviderEvent.Text("b"));
        clock.addAndGet(Duration.ofMillis(20).toNanos());
        coalescer.accept(new ProviderEvent.Text("c"));
        assertThat(out).containsExactly(new ProviderEvent.Text("a"), new ProviderEvent.Text("b"), new ProviderEvent.Text("c"));
    }

    @Test
    void deltasWithinTheWindowAfterAPublishAreMergedAndGoOutWhenItRunsOut() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMillis(200), timer, out::add);
        coalescer.accept(new ProviderEvent.Text("Hel"));
        coalescer.accept(new ProviderEvent.Text("lo"));
        coalescer.accept(new ProviderEvent.Text(" you"));
        assertThat(out).containsExactly(new ProviderEvent.Text("Hel"));
        await().atMost(Duration.ofSeconds(5)).until(() -> out.size() == 2);
        assertThat(out).containsExactly(new ProviderEvent.Text("Hel"), new ProviderEvent.Text("lo you"));
    }

    @Test
    void anotherEventFlushesMergedTextFirstKeepingOrder() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMinutes(1), timer, out::add);
        coalescer.accept(new ProviderEvent.Text("Hel"));
        coalescer.accept(new ProviderEvent.Text("lo"));
        coalescer.accept(new ProviderEvent.Text("!"));
        coalescer.accept(new ProviderEvent.Reasoning("hmm"));
        coalescer.accept(new ProviderEvent.Text("?"));
        coalescer.accept(new ProviderEvent.Finished(FinishReason.STOP, "stop"));
        assertThat(out).containsExactly(new ProviderEvent.Text("Hel"), new ProviderEvent.Text("lo!"),
                new ProviderEvent.Reasoning("hmm"), new ProviderEvent.Text("?"),
                new ProviderEvent.Finished(FinishReason.STOP, "stop"));
    }

    @Test
    void explicitFlushPublishesPendingTextOnce() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMinutes(1), timer, out::add);
        coalescer.accept(new ProviderEvent.Text("head"));
        coalescer.accept(new ProviderEvent.Text("tail"));
        coalescer.flush();
        coalescer.flush();
        assertThat(out).containsExactly(new ProviderEvent.Text("head"), new ProviderEvent.Text("tail"));
    }
}
