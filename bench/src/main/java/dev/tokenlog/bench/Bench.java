package dev.tokenlog.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark run behind {@code bench/run}: starts the bench mock provider and the local stack on a
 * fresh data directory, runs every scenario in turn (a failing scenario is noted and the run goes on),
 * stops the stack and writes {@code bench/RESULTS.md} and {@code bench/results.csv}.
 *
 * <p>System properties: {@code bench.root} (the checkout, set by bench/run), {@code bench.scale}
 * ({@code full} or {@code smoke}), {@code bench.only} (comma-separated scenario names, to run a subset).
 */
public final class Bench {
    static final String GROUP = "run";

    /** A scenario by name, in run order. */
    private interface Scenario {
        void run(Context ctx) throws Exception;
    }

    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("latency", LatencyScenario::run);
        SCENARIOS.put("cost", CostScenario::run);
        SCENARIOS.put("coalesce", CoalesceScenario::run);
        SCENARIOS.put("admission", AdmissionScenario::run);
        SCENARIOS.put("throughput", ThroughputScenario::run);
        SCENARIOS.put("fanout", FanoutScenario::run);
        SCENARIOS.put("resume", ResumeScenario::run);
        SCENARIOS.put("fold", FoldScenario::run);
        SCENARIOS.put("idle", IdleSubscribersScenario::run);
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
        Scale scale = Scale.of(System.getProperty("bench.scale", "full"));
        List<String> only = List.of(System.getProperty("bench.only", String.join(",", SCENARIOS.keySet())).split(","));
        Results results = new Results();
        Map<String, String> machine = Machine.describe(root, scale);
        long start = System.nanoTime();
        try (MockProvider mock = new MockProvider();
             Stack stack = Stack.start(root, root.resolve("bench/target/stack"), mock.baseUrl(), Duration.ofMinutes(10))) {
            SseClient sse = new SseClient();
            Gateway gateway = new Gateway(stack.gateway(), stack.gatewayManagement(), sse.http());
            Context ctx = new Context(stack, mock, sse, gateway, new StreamLoad(sse, gateway, mock.baseUrl()), scale, results);
            warmUp(ctx);
            for (var scenario : SCENARIOS.entrySet()) {
                if (only.contains(scenario.getKey())) {
                    runOne(ctx, scenario.getKey(), scenario.getValue());
                }
            }
        }
        machine.put("wall time of the run", Duration.ofNanos(System.nanoTime() - start).truncatedTo(ChronoUnit.SECONDS)
                .toString().substring(2).toLowerCase());
        machine.put("load average at the end (1, 5, 15 min)", Machine.loadAverage());
        Path benchDir = root.resolve("bench");
        ReportWriter.write(results, machine, benchDir);
        Path runs = benchDir.resolve("target/runs");
        Files.createDirectories(runs);
        Files.copy(benchDir.resolve("results.csv"), runs.resolve(Instant.now().toString().replace(':', '-') + ".csv"));
        System.out.println("bench: wrote " + benchDir.resolve("RESULTS.md") + " and results.csv");
        System.exit(0); // the mock's paced streams and idle client threads are not waited for
    }

    /**
     * Streams through every part before anything is measured: JIT, connection pools, the gateway's pool
     * of history consumers (a first burst of subscribers otherwise pays for creating them). One stream
     * goes first, alone: the first request registers the record schemas, which a burst would wait on.
     */
    private static void warmUp(Context ctx) throws InterruptedException {
        System.out.println("bench: warming up");
        int streams = ctx.scale().warmupStreams();
        StreamLoad.Shape shape = Context.chatShape(100);
        StreamLoad.Outcome first = ctx.load().tokenlog(1, new StreamLoad.Shape(0, 10, 0), Duration.ZERO);
        ctx.results().note(GROUP, first.summary("warm-up (not measured), a first stream alone", 10));
        StreamLoad.Outcome warm = ctx.load().tokenlog(streams, shape, Duration.ofSeconds(2));
        ctx.load().baseline(streams, shape, Duration.ofSeconds(2));
        ctx.results().note(GROUP, warm.summary("warm-up (not measured), " + streams + " streams x 100 tokens at 20 tokens/s",
                streams * 100L));
    }

    private static void runOne(Context ctx, String name, Scenario scenario) {
        System.out.println("bench: scenario " + name);
        long start = System.nanoTime();
        try {
            scenario.run(ctx);
        } catch (Exception | AssertionError e) {
            ctx.results().note(GROUP, "scenario " + name + " failed: " + e);
            e.printStackTrace();
        }
        ctx.results().note(GROUP, "scenario " + name + " took " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
    }
}
