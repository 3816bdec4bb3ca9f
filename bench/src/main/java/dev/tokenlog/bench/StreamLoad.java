package dev.tokenlog.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@code streams} concurrent streams of one shape and records every token's added latency
 * (receive time minus the emit time written by the mock), either through tokenlog (POST /v1/streams,
 * then its SSE events from the first chunk) or as the baseline (the client POSTs to the mock provider
 * and reads its SSE directly). Stream starts are spread evenly over {@code stagger}, as users arrive.
 */
final class StreamLoad {
    /** What one load produced. */
    record Outcome(Latencies latencies, int completed, int failed, String firstError, double seconds) {
        /** One line for the report, so a percentile is never read without its sample and its losses. */
        String summary(String what, long expectedTokens) {
            return what + ": " + completed + " streams completed, " + failed + " failed, " + latencies.count()
                    + " of " + expectedTokens + " tokens received" + (failed > 0 ? "; first failure: " + firstError : "");
        }
    }

    /** A stream shape: the provider entry, rate, length and the provider's delay before its first token. */
    record Shape(String provider, double tps, int tokens, long ttftMs) {
        /** Through the stack's {@code bench} entry. */
        Shape(double tps, int tokens, long ttftMs) {
            this("bench", tps, tokens, ttftMs);
        }

        String model() {
            return MockProvider.model(tps, tokens, ttftMs);
        }
    }

    private final SseClient sse;
    private final Gateway gateway;
    private final String mockBaseUrl;

    StreamLoad(SseClient sse, Gateway gateway, String mockBaseUrl) {
        this.sse = sse;
        this.gateway = gateway;
        this.mockBaseUrl = mockBaseUrl;
    }

    Outcome tokenlog(int streams, Shape shape, Duration stagger) throws InterruptedException {
        return run(streams, stagger, timeout(shape, stagger), latencies ->
                readTokenlog(gateway.events(gateway.create(shape.provider(), shape.model(), shape.tokens()), ""), latencies));
    }

    Outcome baseline(int streams, Shape shape, Duration stagger) throws InterruptedException {
        String body = "{\"model\":\"" + shape.model() + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"bench\"}]}";
        return run(streams, stagger, timeout(shape, stagger), latencies -> readBaseline(URI.create(mockBaseUrl + "/chat/completions"), body, latencies));
    }

    /** Reads one tokenlog stream to its terminal; throws unless it ended with {@code done}. */
    void readTokenlog(URI events, Latencies latencies) throws Exception {
        AtomicReference<String> terminal = new AtomicReference<>();
        sse.get(events, Map.of(), (id, event, data, received) -> {
            switch (event == null ? "" : event) {
                case "delta" -> {
                    latencies.chunk();
                    Micros.emitTimes(data, emitted -> latencies.add(received - emitted));
                }
                case "done", "error", "cancelled" -> {
                    terminal.set(event + (event.equals("done") ? "" : " " + data));
                    return false;
                }
                default -> { }
            }
            return true;
        });
        if (!"done".equals(terminal.get())) {
            throw new IllegalStateException("stream " + events + " ended with " + terminal.get());
        }
    }

    private void readBaseline(URI uri, String body, Latencies latencies) throws Exception {
        AtomicReference<Boolean> done = new AtomicReference<>(false);
        sse.post(uri, body, (id, event, data, received) -> {
            if (data.equals("[DONE]")) {
                done.set(true);
                return false;
            }
            int content = data.indexOf("\"content\":\"");
            if (content >= 0) {
                Micros.emitTimes(data.substring(content, data.indexOf('"', content + 11)), emitted -> latencies.add(received - emitted));
            }
            return true;
        });
        if (!done.get()) {
            throw new IllegalStateException("the mock's stream ended without [DONE]");
        }
    }

    /** One stream's work: returns normally when it completed, throws when it did not. */
    interface StreamTask {
        void run(Latencies latencies) throws Exception;
    }

    /** Three times the nominal duration plus a minute: a stream still running then counts as failed. */
    private static Duration timeout(Shape shape, Duration stagger) {
        double seconds = shape.ttftMs() / 1000.0 + (shape.tps() > 0 ? shape.tokens() / shape.tps() : 10);
        return stagger.plusMillis((long) (3_000 * seconds)).plusSeconds(60);
    }

    /**
     * Runs {@code task} for {@code streams} streams, the i-th started after {@code i/streams} of
     * {@code stagger}; streams not finished within {@code timeout} are interrupted and count as failed.
     */
    static Outcome run(int streams, Duration stagger, Duration timeout, StreamTask task) throws InterruptedException {
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Latencies> perStream = new ArrayList<>();
        long start = System.nanoTime();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < streams; i++) {
                Latencies latencies = new Latencies();
                perStream.add(latencies);
                long delayNanos = streams == 1 ? 0 : stagger.toNanos() * i / streams;
                threads.submit(() -> {
                    try {
                        Thread.sleep(Duration.ofNanos(delayNanos));
                        task.run(latencies);
                        completed.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                    return null;
                });
            }
        } finally {
            threads.shutdown();
            if (!threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
                threads.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Latencies all = new Latencies();
        perStream.forEach(all::addAll);
        return new Outcome(all, completed.get(), failed.get(), firstError.get(), seconds);
    }
}
