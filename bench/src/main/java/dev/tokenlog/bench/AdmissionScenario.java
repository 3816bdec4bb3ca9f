package dev.tokenlog.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * How long {@code POST /v1/streams} takes to answer 202 at a steady arrival rate: requests sent on a
 * fixed schedule (open loop: a slow answer does not delay the next request), each a short stream of
 * the mock that nobody subscribes to, so the figure is the admission path (validation, the request
 * record written with acks=all, the answer) under that rate.
 */
final class AdmissionScenario {
    static final String GROUP = "admission";
    private static final int PER_SECOND = 100;

    static void run(Context ctx) throws Exception {
        int requests = ctx.scale().admissionRequests();
        String method = requests + " POST /v1/streams sent " + PER_SECOND + " a second on a fixed schedule (open loop), "
                + "each a 10-token mock stream without subscribers; latency = request sent to 202 received";
        Latencies latencies = new Latencies();
        List<Future<Long>> sent = new ArrayList<>();
        long start = System.nanoTime();
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests; i++) {
                long due = start + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                sent.add(threads.submit(() -> {
                    long t0 = System.nanoTime();
                    ctx.gateway().create(MockProvider.model(0, 10, 0), 10);
                    return (System.nanoTime() - t0) / 1000;
                }));
            }
            int failed = 0;
            String firstError = null;
            for (Future<Long> f : sent) {
                try {
                    latencies.add(f.get(60, TimeUnit.SECONDS));
                } catch (Exception e) {
                    failed++;
                    firstError = firstError == null ? e.toString() : firstError;
                }
            }
            ctx.results().add(GROUP, "POST /v1/streams -> 202 p50 at " + PER_SECOND + "/s", latencies.percentileMs(50), "ms", method);
            ctx.results().add(GROUP, "POST /v1/streams -> 202 p99 at " + PER_SECOND + "/s", latencies.percentileMs(99), "ms", method);
            ctx.results().note(GROUP, latencies.count() + " of " + requests + " requests answered 202, " + failed + " failed"
                    + (firstError == null ? "" : "; first failure: " + firstError));
        }
    }
}
