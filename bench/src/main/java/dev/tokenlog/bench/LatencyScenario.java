package dev.tokenlog.bench;

import java.time.Duration;

/**
 * Added latency (provider token emitted → SSE client received) at 1, 100 and 1,000 concurrent streams
 * of 20 tokens/s, each measured against a baseline run in which the same client reads the same mock
 * provider's SSE directly, with the same stream count and rate.
 */
final class LatencyScenario {
    static final String GROUP = "latency";
    private static final Duration STAGGER = Duration.ofSeconds(1);

    static void run(Context ctx) throws InterruptedException {
        StreamLoad.Shape shape = Context.chatShape(ctx.scale().tokens());
        String method = "per token: SSE receive time minus the emit time the mock wrote into the token; "
                + ctx.scale().tokens() + " tokens per stream at 20 tokens/s, stream starts spread over 1 s; "
                + "baseline = the same client reading the mock's SSE directly, run just before; ratio = tokenlog / baseline";
        for (int streams : ctx.scale().latencyStreams()) {
            StreamLoad.Outcome baseline = ctx.load().baseline(streams, shape, STAGGER);
            StreamLoad.Outcome tokenlog = ctx.load().tokenlog(streams, shape, STAGGER);
            String at = " at " + streams + (streams == 1 ? " stream" : " streams");
            for (double p : new double[] {50, 95, 99}) {
                String pn = "p" + (int) p;
                double t = tokenlog.latencies().percentileMs(p);
                double b = baseline.latencies().percentileMs(p);
                ctx.results().add(GROUP, "tokenlog " + pn + at, t, "ms", method);
                ctx.results().add(GROUP, "baseline " + pn + at, b, "ms", method);
                ctx.results().add(GROUP, "ratio " + pn + at, t / b, "x", method);
            }
            ctx.results().note(GROUP, tokenlog.summary("tokenlog" + at, (long) streams * ctx.scale().tokens()));
            ctx.results().note(GROUP, baseline.summary("baseline" + at, (long) streams * ctx.scale().tokens()));
        }
    }
}
