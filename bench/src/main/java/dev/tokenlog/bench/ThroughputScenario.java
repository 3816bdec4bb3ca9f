package dev.tokenlog.bench;

import java.time.Duration;

/**
 * Maximum sustained throughput end to end (worker → Kafka → fold and gateway → SSE client): streams
 * of 20 tokens/s are added in steps until p99 added latency exceeds 100 ms or a stream fails; the
 * last step within the limit gives the chunks/s, the tokens/s per core, and the concurrent streams
 * one worker ran (one active SSE subscriber each).
 */
final class ThroughputScenario {
    static final String GROUP = "throughput";
    private static final double P99_LIMIT_MS = 100;
    private static final double TPS = 20;

    static void run(Context ctx) throws InterruptedException {
        int tokens = ctx.scale().rampTokens();
        StreamLoad.Shape shape = Context.chatShape(tokens);
        int cores = Runtime.getRuntime().availableProcessors();
        int best = 0;
        for (int streams : ctx.scale().rampStreams()) {
            StreamLoad.Outcome step = ctx.load().tokenlog(streams, shape, Duration.ofSeconds(2));
            double p99 = step.latencies().percentileMs(99);
            boolean complete = step.failed() == 0 && step.latencies().count() == (long) streams * tokens;
            ctx.results().note(GROUP, step.summary(streams + " streams x 20 tokens/s", (long) streams * tokens)
                    + "; p50 " + Context.ms(step.latencies().percentileMs(50)) + " ms, p99 " + Context.ms(p99) + " ms");
            if (!complete || p99 > P99_LIMIT_MS) {
                ctx.results().note(GROUP, "stopped at " + streams + " streams (" + (complete ? "p99 over 100 ms" : "lost streams or tokens") + ")");
                break;
            }
            best = streams;
        }
        String method = "steps of " + ctx.scale().rampStreams() + " concurrent streams x 20 tokens/s x " + tokens
                + " tokens, starts spread over 2 s; a step passes when every token arrives and p99 added latency <= 100 ms; "
                + "sustained rate = streams x 20 tokens/s (1 token = 1 chunk) of the last passing step";
        ctx.results().add(GROUP, "max sustained chunks/s with p99 <= 100 ms", best * TPS, "chunks/s", method);
        ctx.results().add(GROUP, "tokens/s per core (" + cores + " cores)", best * TPS / cores, "tokens/s/core", method);
        ctx.results().add("concurrency", "active streams on one worker (each with an SSE subscriber) with p99 <= 100 ms",
                best, "streams", method);
    }
}
