package dev.tokenlog.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-out: one stream of 20 tokens/s read by 1, 100 and 1,000 subscribers at once. The mock holds
 * the first token long enough for every subscriber to connect; the figures are the added latency
 * over all subscribers' tokens and the time from the last token's emission until the last
 * subscriber had it.
 */
final class FanoutScenario {
    static final String GROUP = "fan-out";

    static void run(Context ctx) throws Exception {
        int tokens = ctx.scale().tokens();
        for (int subscribers : ctx.scale().fanoutSubscribers()) {
            long ttftMs = 2_000 + 5L * subscribers;
            String id = ctx.gateway().create(MockProvider.model(20, tokens, ttftMs), tokens);
            Latencies all = new Latencies();
            AtomicLong lastTokenEmitted = new AtomicLong();
            AtomicLong lastTokenReceived = new AtomicLong();
            AtomicLong firstEmit = new AtomicLong(Long.MAX_VALUE);
            AtomicLong lastOpen = new AtomicLong();
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<Latencies> perSubscriber = new ArrayList<>();
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            for (int i = 0; i < subscribers; i++) {
                Latencies mine = new Latencies();
                perSubscriber.add(mine);
                threads.submit(() -> {
                    try {
                        read(ctx, id, mine, lastTokenEmitted, lastTokenReceived, firstEmit, lastOpen);
                        completed.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    return null;
                });
            }
            threads.shutdown();
            if (!threads.awaitTermination(5 + ttftMs / 1000 + tokens / 20 * 3, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
            perSubscriber.forEach(all::addAll);
            String at = " with " + subscribers + (subscribers == 1 ? " subscriber" : " subscribers");
            String method = "one stream, " + tokens + " tokens at 20 tokens/s, all subscribers connected before its first token "
                    + "(mock waits " + ttftMs + " ms); latency per token per subscriber = receive minus emit time; "
                    + "last = the latest any subscriber received the final token, minus that token's emit time";
            ctx.results().add(GROUP, "p50 added latency" + at, all.percentileMs(50), "ms", method);
            ctx.results().add(GROUP, "p99 added latency" + at, all.percentileMs(99), "ms", method);
            ctx.results().add(GROUP, "last subscriber got the last token" + at,
                    (lastTokenReceived.get() - lastTokenEmitted.get()) / 1000.0, "ms after emit", method);
            ctx.results().note(GROUP, subscribers + " subscribers: " + completed.get() + " completed, " + failed.get() + " failed, "
                    + all.count() + " of " + (long) subscribers * tokens + " tokens received; "
                    + (lastOpen.get() < firstEmit.get() ? "all connected before the first token"
                    : "NOT all connected before the first token (the late ones caught up from the log)"));
        }
    }

    private static void read(Context ctx, String id, Latencies latencies, AtomicLong lastTokenEmitted,
                             AtomicLong lastTokenReceived, AtomicLong firstEmit, AtomicLong lastOpen) throws Exception {
        ctx.sse().get(ctx.gateway().events(id, ""), Map.of(), new SseClient.Listener() {
            @Override
            public void onOpen(long micros) {
                lastOpen.accumulateAndGet(micros, Math::max);
            }

            @Override
            public boolean onEvent(String eventId, String event, String data, long received) {
                if ("delta".equals(event)) {
                    Micros.emitTimes(data, emitted -> {
                        latencies.add(received - emitted);
                        firstEmit.accumulateAndGet(emitted, Math::min);
                        // Every subscriber gets the same tokens: the latest emit is the last token, and
                        // the latest receive of any token is the last subscriber receiving it.
                        lastTokenEmitted.accumulateAndGet(emitted, Math::max);
                        lastTokenReceived.accumulateAndGet(received, Math::max);
                    });
                }
                if ("done".equals(event)) {
                    return false;
                }
                if ("error".equals(event) || "cancelled".equals(event)) {
                    throw new IllegalStateException("the stream ended with " + event + " " + data);
                }
                return true;
            }
        });
    }
}
