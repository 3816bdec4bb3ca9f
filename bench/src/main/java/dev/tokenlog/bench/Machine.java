package dev.tokenlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The header of RESULTS.md: when, which commit, on what machine and JDK, and how busy it was. */
final class Machine {
    private Machine() {
    }

    static Map<String, String> describe(Path root, Scale scale) throws IOException, InterruptedException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(java.time.ZoneOffset.UTC)));
        String dirty = command(root, "git", "status", "--porcelain", "--untracked-files=no").isBlank() ? "" : " (with uncommitted changes)";
        m.put("commit", command(root, "git", "rev-parse", "--short", "HEAD") + dirty);
        m.put("cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("RAM", memTotal());
        m.put("CPU", cpuModel());
        m.put("JDK", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        m.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("scale", scale.name());
        m.put("app settings", "each app's application.properties and deploy/local/run at this commit" + overrides());
        m.put("load average at the start (1, 5, 15 min)", loadAverage());
        return m;
    }

    /**
     * Settings this run's environment passes to the stack (it inherits them), e.g. a tuning experiment's
     * {@code TOKENLOG_GATEWAY_CLOCK_SKEW=2s}; values of secrets are not shown.
     */
    private static String overrides() {
        List<String> set = System.getenv().entrySet().stream()
                .filter(e -> e.getKey().matches("(TOKENLOG|KAFKA|QUARKUS|KAFKA_STREAMS)_.*"))
                .map(e -> e.getKey() + "=" + (e.getKey().matches(".*(KEY|SECRET|TOKEN|PASSWORD).*") ? "***" : e.getValue()))
                .sorted().toList();
        return set.isEmpty() ? ", no overrides" : ", overridden by the environment: " + String.join(" ", set);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String memTotal() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> String.format("%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0))
                .findFirst().orElse("unknown");
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    }

    private static String command(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
