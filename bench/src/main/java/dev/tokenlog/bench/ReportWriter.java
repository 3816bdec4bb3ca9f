package dev.tokenlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes one run's {@link Results} as {@code bench/RESULTS.md} (a header describing the machine, one
 * table per figure group with its methods and notes, then the hand-written {@code bench/TUNING.md} if
 * present) and {@code bench/results.csv} (one row per figure: group,name,value,unit,method).
 */
final class ReportWriter {
    /** Group titles in report order. */
    private static final Map<String, String> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put(LatencyScenario.GROUP, "Added latency (provider token emitted → SSE client received)");
        GROUPS.put(ThroughputScenario.GROUP, "Throughput");
        GROUPS.put(IdleSubscribersScenario.GROUP, "Concurrency");
        GROUPS.put(FanoutScenario.GROUP, "Fan-out (one stream, many subscribers)");
        GROUPS.put(ResumeScenario.GROUP, "Resume");
        GROUPS.put(FoldScenario.GROUP, "Fold");
        GROUPS.put(CostScenario.GROUP, "Cost");
        GROUPS.put(AdmissionScenario.GROUP, "Admission (POST /v1/streams)");
        GROUPS.put(CoalesceScenario.GROUP, "Coalescing (fast models: 100 tokens/s per stream)");
        GROUPS.put(Bench.GROUP, "Run");
    }

    static void write(Results results, Map<String, String> machine, Path benchDir) throws IOException {
        Files.writeString(benchDir.resolve("results.csv"), csv(results));
        StringBuilder md = new StringBuilder("# tokenlog benchmark results\n\n");
        md.append("Numbers from **one run** of `bench/run` on this machine, with the mock provider, everything on loopback: ")
                .append("the stack (Kafka, schema registry, llm-worker, stream-fanout), the load generator and the mock ")
                .append("provider share the same cores. They show orders of magnitude and where time goes, not a guarantee. ")
                .append("Every row is also in `results.csv`.\n\n");
        machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        GROUPS.forEach((group, title) -> section(md, results, group, title));
        Path tuning = benchDir.resolve("TUNING.md");
        if (Files.exists(tuning)) {
            md.append('\n').append(Files.readString(tuning));
        }
        Files.writeString(benchDir.resolve("RESULTS.md"), md.toString());
    }

    private static void section(StringBuilder md, Results results, String group, String title) {
        List<Figure> figures = results.figures().stream().filter(f -> f.group().equals(group)).toList();
        List<String> notes = results.notes(group);
        if (figures.isEmpty() && notes.isEmpty()) {
            return;
        }
        md.append("\n## ").append(title).append("\n\n");
        if (group.equals(LatencyScenario.GROUP) && !figures.isEmpty()) {
            latencyTable(md, figures);
        } else if (!figures.isEmpty()) {
            md.append("| figure | value | unit |\n|---|---:|---|\n");
            Set<String> methods = new LinkedHashSet<>();
            for (Figure f : figures) {
                md.append("| ").append(f.name()).append(" | ").append(format(f.value())).append(" | ").append(f.unit()).append(" |\n");
                methods.add(f.method());
            }
            md.append('\n');
            methods.forEach(m -> md.append("Method: ").append(m).append(".\n\n"));
        }
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }

    /**
     * The latency figures as one row per stream count: tokenlog, baseline and their ratio at p50, p95
     * and p99 (names as {@link LatencyScenario} writes them: {@code tokenlog p50 at 100 streams}).
     */
    private static void latencyTable(StringBuilder md, List<Figure> figures) {
        Pattern name = Pattern.compile("(tokenlog|baseline|ratio) (p\\d+) at (\\d+) streams?");
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        for (Figure f : figures) {
            Matcher m = name.matcher(f.name());
            if (m.matches()) {
                rows.computeIfAbsent(m.group(3), k -> new LinkedHashMap<>()).put(m.group(1) + " " + m.group(2), f.value());
            }
        }
        md.append("| streams | tokenlog p50 | p95 | p99 | baseline p50 | p95 | p99 | ratio p50 | p95 | p99 |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        rows.forEach((streams, v) -> {
            md.append("| ").append(streams);
            for (String series : List.of("tokenlog", "baseline", "ratio")) {
                for (String p : List.of("p50", "p95", "p99")) {
                    md.append(" | ").append(format(v.getOrDefault(series + " " + p, Double.NaN)))
                            .append(series.equals("ratio") ? "x" : " ms");
                }
            }
            md.append(" |\n");
        });
        md.append('\n');
        figures.stream().map(Figure::method).distinct().forEach(m -> md.append("Method: ").append(m).append(".\n\n"));
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double abs = Math.abs(value);
        return String.format(Locale.ROOT, abs >= 100 ? "%,.0f" : abs >= 10 ? "%.1f" : "%.2f", value);
    }

    static String csv(Results results) {
        StringBuilder csv = new StringBuilder("group,name,value,unit,method\n");
        for (Figure f : results.figures()) {
            csv.append(quote(f.group())).append(',').append(quote(f.name())).append(',')
                    .append(Double.isNaN(f.value()) ? "" : String.format(Locale.ROOT, "%.3f", f.value())).append(',')
                    .append(quote(f.unit())).append(',').append(quote(f.method())).append('\n');
        }
        return csv.toString();
    }

    private static String quote(String field) {
        return field.contains(",") || field.contains("\"") || field.contains("\n")
                ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }
}
