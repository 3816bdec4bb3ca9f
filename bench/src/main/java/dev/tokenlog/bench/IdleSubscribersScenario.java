package dev.tokenlog.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle SSE subscribers one gateway holds: many subscribers to a few live streams that have not
 * produced a token yet (the mock waits ten minutes before the first). Reports how many were held,
 * the gateway's resident memory per subscriber and its CPU while they are held; the streams are
 * then cancelled, which ends every subscription with {@code cancelled}.
 */
final class IdleSubscribersScenario {
    static final String GROUP = "concurrency";
    private static final long HOLD_SECONDS = 10;

    static void run(Context ctx) throws Exception {
        int total = ctx.scale().idleSubscribers();
        int streams = ctx.scale().idleStreams();
        long gatewayPid = ctx.stack().pid("stream-fanout");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            ids.add(ctx.gateway().create(MockProvider.model(1, 1, 600_000), 1));
        }
        ProcessStats quietStart = ProcessStats.of(gatewayPid);
        Thread.sleep(TimeUnit.SECONDS.toMillis(HOLD_SECONDS));
        ProcessStats before = ProcessStats.of(gatewayPid);
        long heapBefore = ProcessStats.liveHeapBytes(gatewayPid);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < total; i++) {
            String id = ids.get(i % streams);
            threads.submit(() -> {
                try {
                    ctx.sse().get(ctx.gateway().events(id, ""), Map.of(), new SseClient.Listener() {
                        @Override
                        public void onOpen(long micros) {
                            open.incrementAndGet();
                        }

                        @Override
                        public boolean onEvent(String eventId, String event, String data, long received) {
                            return !List.of("cancelled", "done", "error").contains(event);
                        }
                    });
                    ended.incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
                return null;
            });
            if (i % 100 == 99) {
                Thread.sleep(20); // about 5,000 connections a second, below the accept backlog
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (open.get() + failed.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        double registered = ctx.gateway().metric("tokenlog_gateway_sse_subscribers");
        ProcessStats held = ProcessStats.of(gatewayPid);
        Thread.sleep(TimeUnit.SECONDS.toMillis(HOLD_SECONDS));
        ProcessStats after = ProcessStats.of(gatewayPid);
        long heapHeld = ProcessStats.liveHeapBytes(gatewayPid);
        for (String id : ids) {
            ctx.gateway().cancel(id);
        }
        threads.shutdown();
        if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
            threads.shutdownNow();
        }
        String method = total + " SSE subscriptions spread over " + streams + " live streams that send no token; "
                + "held = connections answered 200; RSS of the gateway process (/proc VmRSS) before and after opening them; "
                + "heap = the gateway's heap in use after a full GC (jcmd GC.run, GC.heap_info) before and while holding them; "
                + "CPU = utime+stime of the gateway over " + HOLD_SECONDS + " s of holding them, and over "
                + HOLD_SECONDS + " s before opening them (the fold's commits and the tail's polls run all the time)";
        ctx.results().add(GROUP, "idle SSE subscribers held by one gateway", open.get(), "subscribers", method);
        ctx.results().add(GROUP, "idle subscribers registered (tokenlog_gateway_sse_subscribers)", registered, "subscribers", method);
        ctx.results().add(GROUP, "gateway RSS before opening them", before.rssBytes() / 1048576.0, "MiB", method);
        ctx.results().add(GROUP, "gateway RSS while holding them", held.rssBytes() / 1048576.0, "MiB", method);
        ctx.results().add(GROUP, "gateway heap per idle subscriber (live heap difference / count)",
                (heapHeld - heapBefore) / 1024.0 / Math.max(1, open.get()), "KiB", method);
        ctx.results().add(GROUP, "gateway CPU with no subscriber (for comparison)",
                (before.cpuSeconds() - quietStart.cpuSeconds()) / HOLD_SECONDS * 100, "% of one core", method);
        ctx.results().add(GROUP, "gateway CPU while holding them", (after.cpuSeconds() - held.cpuSeconds()) / HOLD_SECONDS * 100,
                "% of one core", method);
        ctx.results().note(GROUP, "idle: " + open.get() + " of " + total + " opened, " + failed.get() + " failed, "
                + ended.get() + " ended with cancelled after the streams were cancelled");
    }
}
