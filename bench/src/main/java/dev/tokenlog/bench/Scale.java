package dev.tokenlog.bench;

import java.util.List;

/**
 * The counts of one run. {@code full} is the run behind bench/RESULTS.md (about 15 minutes on two
 * cores); {@code smoke} checks in a minute or two that every scenario works.
 */
record Scale(String name, int warmupStreams, List<Integer> latencyStreams, int tokens, List<Integer> rampStreams, int rampTokens,
             int idleSubscribers, int idleStreams, List<Integer> fanoutSubscribers, int resumeStreams,
             int reconnectsPerStream, int catchupTokens, int foldStreams, int foldTokens, int costStreams, int coalesceStreams, int admissionRequests) {

    static Scale of(String name) {
        return switch (name) {
            case "full" -> new Scale(name, 200, List.of(1, 100, 1000), 100, List.of(10, 25, 50, 100, 250, 500, 750, 1000, 1500, 2000), 200,
                    5000, 50, List.of(1, 100, 1000), 20, 10, 20_000, 200, 500, 1000, 200, 1000);
            case "smoke" -> new Scale(name, 20, List.of(1, 10, 50), 40, List.of(20, 50), 40,
                    200, 5, List.of(1, 10, 50), 4, 3, 2_000, 20, 100, 50, 20, 200);
            default -> throw new IllegalArgumentException("bench.scale must be full or smoke, not '" + name + "'");
        };
    }
}
