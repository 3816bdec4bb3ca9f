package dev.tokenlog.bench;

import java.time.Duration;

/**
 * Maximum sustained throughput end to end (worker → Kafka → fold and gateway → SSE client): streams
 * of 20 tokens/s are added in steps. The sustained rate is that of the last step before p99 added
 * latency first exceeds 100 ms; the ramp goes on past that (to show the curve) until a step loses a
 * stream or a token or its p99 passes 10 s. Also gives the tokens/s per core and the concurrent
 * streams one worker ran (one active SSE subscriber each).
 */
final class ThroughputScenario {
    static final String GROUP = "throughput";
    private static final double P99_LIMIT_MS = 100;
    private static final double GIVE_UP_MS = 10_000;
    private static final double TPS = 20;

    static void run(Context ctx) throws InterruptedException {
        int tokens = ctx.scale().rampTokens();
        StreamLoad.Shape shape = Context.chatShape(tokens);
        int cores = Runtime.getRuntime().availableProcessors();
        int sustained = 0;
        boolean exceeded = false;
        int delivered = 0;
        double deliveredP99 = Double.NaN;
        for (int streams : ctx.scale().rampStreams()) {
            StreamLoad.Outcome step = ctx.load().tokenlog(streams, shape, Duration.ofSeconds(2));
            double p99 = step.latencies().percentileMs(99);
            boolean complete = step.failed() == 0 && step.latencies().count() == (long) streams * tokens;
            ctx.results().note(GROUP, step.summary(streams + " streams x 20 tokens/s", (long) streams * tokens)
                    + "; p50 " + Context.ms(step.latencies().percentileMs(50)) + " ms, p99 " + Context.ms(p99) + " ms");
            if (!complete || p99 > GIVE_UP_MS) {
                ctx.results().note(GROUP, "ramp stopped at " + streams + " streams ("
                        + (complete ? "p99 over " + (int) (GIVE_UP_MS / 1000) + " s" : "lost streams or tokens") + ")");
                break;
            }
            delivered = streams;
            deliveredP99 = p99;
            exceeded |= p99 > P99_LIMIT_MS;
            if (!exceeded) {
                sustained = streams;
            }
        }
        String method = "steps of " + ctx.scale().rampStreams() + " concurrent streams x 20 tokens/s x " + tokens
                + " tokens, starts spread over 2 s, one SSE subscriber each; rate = streams x 20 tokens/s (1 token = 1 chunk); "
                + "sustained = the last step before p99 added latency first exceeds 100 ms; delivered = the largest step in which "
                + "every token arrived (p99 under 10 s); per core = over all " + cores + " cores, which the load generator and mock share";
        ctx.results().add(GROUP, "max sustained chunks/s with p99 <= 100 ms", sustained * TPS, "chunks/s", method);
        ctx.results().add(GROUP, "tokens/s per core at that rate", sustained * TPS / cores, "tokens/s/core", method);
        ctx.results().add(GROUP, "max chunks/s delivered without loss", delivered * TPS, "chunks/s", method);
        ctx.results().add(GROUP, "p99 added latency at that rate", deliveredP99, "ms", method);
        ctx.results().add("concurrency", "active streams on one worker (one SSE subscriber each) with p99 <= 100 ms",
                sustained, "streams", method);
        ctx.results().add("concurrency", "active streams on one worker delivered without loss", delivered, "streams", method);
    }
}
