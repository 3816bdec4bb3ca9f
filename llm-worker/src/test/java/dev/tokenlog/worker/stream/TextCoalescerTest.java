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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TextCoalescerTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ProviderEvent> out = new CopyOnWriteArrayList<>();

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
    void mergesTextUntilAnotherEventKeepingOrder() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMinutes(1), timer, out::add);
        coalescer.accept(new ProviderEvent.Text("Hel"));
        coalescer.accept(new ProviderEvent.Text("lo"));
        coalescer.accept(new ProviderEvent.Reasoning("hmm"));
        coalescer.accept(new ProviderEvent.Text("!"));
        coalescer.accept(new ProviderEvent.Finished(FinishReason.STOP, "stop"));
        assertThat(out).containsExactly(new ProviderEvent.Text("Hello"), new ProviderEvent.Reasoning("hmm"),
                new ProviderEvent.Text("!"), new ProviderEvent.Finished(FinishReason.STOP, "stop"));
    }

    @Test
    void publishesMergedTextWhenTheWindowRunsOutWithoutAnotherEvent() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMillis(50), timer, out::add);
        coalescer.accept(new ProviderEvent.Text("a"));
        coalescer.accept(new ProviderEvent.Text("b"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !out.isEmpty());
        assertThat(out).containsExactly(new ProviderEvent.Text("ab"));
    }

    @Test
    void explicitFlushPublishesPendingTextOnce() {
        TextCoalescer coalescer = new TextCoalescer(Duration.ofMinutes(1), timer, out::add);
        coalescer.accept(new ProviderEvent.Text("tail"));
        coalescer.flush();
        coalescer.flush();
        assertThat(out).containsExactly(new ProviderEvent.Text("tail"));
    }
}
