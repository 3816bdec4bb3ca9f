package dev.tokenlog.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cost of 1,000 streams (100 tokens at 20 tokens/s, one SSE subscriber each): CPU seconds and resident
 * memory of every process of the stack, and the bytes Kafka stored in {@code llm.chunks} per output
 * token. Figures are scaled to 1,000 streams when the run used fewer.
 */
final class CostScenario {
    static final String GROUP = "cost";

    static void run(Context ctx) throws Exception {
        int streams = ctx.scale().costStreams();
        int tokens = ctx.scale().tokens();
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String process : Stack.PROCESSES) {
            pids.put(process, ctx.stack().pid(process));
        }
        pids.put("bench (load generator + mock)", ProcessHandle.current().pid());
        Map<String, ProcessStats> before = snapshot(pids);
        long bytesBefore = ctx.stack().topicLogBytes("llm.chunks");
        long tokensBefore = ctx.mock().tokensEmitted();

        StreamLoad.Outcome outcome = ctx.load().tokenlog(streams, Context.chatShape(tokens), Duration.ofSeconds(1));
        ProcessStats.settle(ctx.stack());

        Map<String, ProcessStats> after = snapshot(pids);
        long bytes = ctx.stack().topicLogBytes("llm.chunks") - bytesBefore;
        long emitted = ctx.mock().tokensEmitted() - tokensBefore;
        double per1000 = 1000.0 / streams;
        String method = streams + " streams x " + tokens + " tokens at 20 tokens/s with one SSE subscriber each; CPU = growth of "
                + "utime+stime (/proc/<pid>/stat) over the run until the stack is idle again x 1000/" + streams + "; RSS = VmRSS at the end of the run";
        pids.keySet().forEach(name -> {
            ctx.results().add(GROUP, "CPU " + name + " per 1,000 streams",
                    (after.get(name).cpuSeconds() - before.get(name).cpuSeconds()) * per1000, "CPU s", method);
            ctx.results().add(GROUP, "RSS " + name, after.get(name).rssBytes() / 1048576.0, "MiB", method);
        });
        ctx.results().add(GROUP, "Kafka bytes per output token (llm.chunks)", (double) bytes / emitted, "bytes/token",
                "growth of the llm.chunks segment files (.log, all partitions, lz4 batches, replication factor 1) "
                        + "over the run / tokens the mock emitted (" + emitted + "); start, usage and done records included");
        ctx.results().note(GROUP, outcome.summary(streams + " streams", (long) streams * tokens)
                + "; wall time " + String.format("%.1f", outcome.seconds()) + " s");
    }

    private static Map<String, ProcessStats> snapshot(Map<String, Long> pids) throws Exception {
        Map<String, ProcessStats> stats = new LinkedHashMap<>();
        for (var e : pids.entrySet()) {
            stats.put(e.getKey(), ProcessStats.of(e.getValue()));
        }
        return stats;
    }
}
