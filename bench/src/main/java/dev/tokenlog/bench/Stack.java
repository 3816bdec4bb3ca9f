package dev.tokenlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local stack under test: {@code deploy/local/run --no-build} as a child process, on its own ports
 * and a fresh data directory, with an extra provider entry {@code bench} (OpenAI type) pointing at the
 * {@link MockProvider}. Closing it sends SIGTERM to the launcher, which stops every process it started.
 */
final class Stack implements AutoCloseable {
    /** The processes of the stack, by the name of their pid file in {@code <data>/run}. */
    static final String[] PROCESSES = {"kafka", "registry", "llm-worker", "stream-fanout"};

    static final int HTTP_PORT = 18080;
    private static final int WORKER_PORT = 18090;
    /** The gateway's management interface: health and metrics. */
    private static final int MANAGEMENT_PORT = 19080;
    private static final int KAFKA_PORT = 19092;

    private final Path dataDir;
    private final Process launcher;

    private Stack(Path dataDir, Process launcher) {
        this.dataDir = dataDir;
        this.launcher = launcher;
    }

    /** Starts the stack in a fresh {@code dataDir} and waits until the gateway is ready. */
    /** The coalesce window of the stack's {@code coalesced} provider entry. */
    static final Duration COALESCE_WINDOW = Duration.ofMillis(20);

    static Stack start(Path root, Path dataDir, String providerBaseUrl, Duration timeout)
            throws IOException, InterruptedException {
        Path launcherPid = dataDir.resolve("run/launcher.pid");
        if (Files.exists(launcherPid)
                && ProcessHandle.of(Long.parseLong(Files.readString(launcherPid).trim())).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IllegalStateException("another bench run (launcher pid " + Files.readString(launcherPid).trim()
                    + ") is using " + dataDir + "; wait for it or stop it first");
        }
        deleteRecursively(dataDir);
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("launcher.log");
        ProcessBuilder builder = new ProcessBuilder(root.resolve("deploy/local/run").toString(), "--no-build")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(settings(dataDir, providerBaseUrl));
        System.out.println("bench: starting the stack (log: " + log + ")");
        Stack stack = new Stack(dataDir, builder.start());
        // Also stop it when this JVM is stopped (SIGTERM) before close() runs.
        Runtime.getRuntime().addShutdownHook(new Thread(stack.launcher::destroy));
        stack.awaitRunning(log, timeout);
        return stack;
    }

    private static Map<String, String> settings(Path dataDir, String providerBaseUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TOKENLOG_DATA_DIR", dataDir.toString());
        env.put("TOKENLOG_HTTP_PORT", String.valueOf(HTTP_PORT));
        env.put("TOKENLOG_WORKER_HTTP_PORT", String.valueOf(WORKER_PORT));
        env.put("TOKENLOG_MANAGEMENT_PORT", String.valueOf(MANAGEMENT_PORT));
        env.put("TOKENLOG_WORKER_MANAGEMENT_PORT", "19090");
        env.put("TOKENLOG_KAFKA_PORT", String.valueOf(KAFKA_PORT));
        env.put("TOKENLOG_KAFKA_CONTROLLER_PORT", "19093");
        env.put("TOKENLOG_REGISTRY_PORT", "18081");
        env.put("TOKENLOG_REGISTRY_MANAGEMENT_PORT", "18091");
        env.put("TOKENLOG_START_TIMEOUT", "300");
        env.put("TOKENLOG_PROVIDERS_BENCH_TYPE", "openai");
        // The gateway accepts a provider the limits name (tokenlog.limits.providers.<name>); the catch-up streams are 20k tokens.
        env.put("TOKENLOG_LIMITS_PROVIDERS_BENCH_MAX_TOKENS", "100000");
        env.put("TOKENLOG_PROVIDERS_BENCH_BASE_URL", providerBaseUrl);
        env.put("TOKENLOG_PROVIDERS_BENCH_API_KEY", "bench-not-a-secret");
        // Idle subscribers wait on streams whose first token never comes; the default would fail them after 60 s.
        env.put("TOKENLOG_PROVIDERS_BENCH_FIRST_TOKEN_TIMEOUT", "15m");
        // The same mock behind an entry that coalesces text (CoalesceScenario compares the two).
        env.put("TOKENLOG_PROVIDERS_COALESCED_TYPE", "openai");
        env.put("TOKENLOG_PROVIDERS_COALESCED_BASE_URL", providerBaseUrl);
        env.put("TOKENLOG_PROVIDERS_COALESCED_API_KEY", "bench-not-a-secret");
        env.put("TOKENLOG_PROVIDERS_COALESCED_COALESCE_WINDOW", COALESCE_WINDOW.toMillis() + "ms");
        env.put("TOKENLOG_LIMITS_PROVIDERS_COALESCED_MAX_TOKENS", "100000");
        return env;
    }

    private void awaitRunning(Path log, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains("running; Ctrl-C stops everything")) {
                return;
            }
            if (!launcher.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("the stack did not start (" + (launcher.isAlive() ? "timed out" : "launcher exited")
                        + "); last output of " + log + ":\n" + tail(text, 3000));
            }
            Thread.sleep(500);
        }
    }

    String gateway() {
        return "http://127.0.0.1:" + HTTP_PORT;
    }

    /** The gateway's management interface ({@code /q/metrics}, {@code /q/health}). */
    String gatewayManagement() {
        return "http://127.0.0.1:" + MANAGEMENT_PORT;
    }

    String kafkaBootstrap() {
        return "127.0.0.1:" + KAFKA_PORT;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Pid of one of {@link #PROCESSES}. */
    long pid(String process) throws IOException {
        return Long.parseLong(Files.readString(dataDir.resolve("run").resolve(process + ".pid")).trim());
    }

    /** Bytes in the segment files of every partition of {@code topic}. */
    long topicLogBytes(String topic) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("kafka"))) {
            return files.filter(p -> p.getParent().getFileName().toString().startsWith(topic + "-"))
                    .filter(p -> p.getFileName().toString().endsWith(".log"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!launcher.isAlive()) {
            return;
        }
        System.out.println("bench: stopping the stack");
        launcher.destroy(); // SIGTERM: the launcher stops its children in reverse order
        if (!launcher.waitFor(120, TimeUnit.SECONDS)) {
            launcher.destroyForcibly();
        }
    }

    private static String tail(String text, int chars) {
        return text.length() <= chars ? text : text.substring(text.length() - chars);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
