package dev.tokenlog.bench;

import java.time.Duration;
import java.util.List;

/**
 * Fast models and the worker's text coalescing: streams of 100 tokens/s (a token every 10 ms) through
 * the stack's {@code bench} entry (every token its own chunk) and through its {@code coalesced} entry
 * (at most one text chunk per {@link Stack#COALESCE_WINDOW} per stream, a token after a quiet window at
 * once): chunks per token, added latency, and the stack's CPU, each way.
 */
final class CoalesceScenario {
    static final String GROUP = "coalesce";
    private static final double TOKENS_PER_SECOND = 100;

    static void run(Context ctx) throws Exception {
        int streams = ctx.scale().coalesceStreams();
        int tokens = ctx.scale().tokens();
        String method = streams + " streams x " + tokens + " tokens at " + (int) TOKENS_PER_SECOND + " tokens/s, starts "
                + "spread over 1 s, one SSE subscriber each; chunks per token = delta events received / tokens received; "
                + "latency = SSE receive time minus the mock's emit time of each token; CPU = growth of utime+stime of the "
                + "stack's processes (kafka, registry, llm-worker, stream-fanout) over the run until the stack is idle again (what the fold still had to do included)";
        for (String provider : List.of("bench", "coalesced")) {
            String way = provider.equals("bench") ? "coalescing off" : "coalescing " + Stack.COALESCE_WINDOW.toMillis() + " ms";
            double cpuBefore = stackCpu(ctx);
            StreamLoad.Outcome outcome = ctx.load().tokenlog(streams,
                    new StreamLoad.Shape(provider, TOKENS_PER_SECOND, tokens, 500), Duration.ofSeconds(1));
            ProcessStats.settle(ctx.stack());
            double cpu = stackCpu(ctx) - cpuBefore;
            long received = outcome.latencies().count();
            ctx.results().add(GROUP, "chunks per token, " + way, (double) outcome.latencies().chunks() / received,
                    "chunks/token", method);
            ctx.results().add(GROUP, "added latency p50, " + way, outcome.latencies().percentileMs(50), "ms", method);
            ctx.results().add(GROUP, "added latency p99, " + way, outcome.latencies().percentileMs(99), "ms", method);
            ctx.results().add(GROUP, "stack CPU per 1,000 tokens, " + way, cpu * 1000 / received, "CPU s", method);
            ctx.results().note(GROUP, outcome.summary(streams + " streams, " + way, (long) streams * tokens));
        }
    }

    private static double stackCpu(Context ctx) throws Exception {
        return ProcessStats.stackCpuSeconds(ctx.stack());
    }
}
