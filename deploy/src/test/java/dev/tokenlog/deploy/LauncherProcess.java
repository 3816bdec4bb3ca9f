package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code deploy/local/run} as a child process of a test, its output captured in a file that
 * every failure message quotes. {@link #close} kills whatever is still running, so a failed test
 * never leaves a broker behind.
 */
final class LauncherProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path output;
    private final Path dataDir;

    private LauncherProcess(Process process, Path output, Path dataDir) {
        this.process = process;
        this.output = output;
        this.dataDir = dataDir;
    }

    /** Starts {@code <root>/deploy/local/run args...} with {@code env} added to this JVM's environment. */
    static LauncherProcess start(Path root, Path dataDir, Map<String, String> env, String... args) throws IOException {
        Path output = Files.createTempFile(dataDir.getParent(), "launcher-", ".out");
        List<String> command = new ArrayList<>(List.of(root.resolve("deploy/local/run").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("TOKENLOG_"));
        builder.environment().putAll(env);
        builder.environment().put("TOKENLOG_DATA_DIR", dataDir.toString());
        return new LauncherProcess(builder.start(), output, dataDir);
    }

    /** The launcher's output so far. */
    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ERROR and WARN lines (with the stack trace lines after them) of every process log under
     * {@code <data>/logs}, the last {@code max} of each: what a failing test shows, since its data
     * directory is deleted afterwards.
     */
    String problems(int max) {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> logs = Files.list(dataDir.resolve("logs"))) {
            for (Path log : logs.sorted().toList()) {
                List<String> kept = new ArrayList<>();
                boolean inProblem = false;
                for (String line : Files.readAllLines(log)) {
                    boolean continuation = line.startsWith("\t") || line.startsWith("Caused by");
                    inProblem = line.contains("ERROR") || line.contains("WARN") || (inProblem && continuation);
                    if (inProblem) {
                        kept.add(line);
                    }
                }
                text.append("--- ").append(log.getFileName()).append(" (").append(kept.size()).append(" problem lines)\n");
                kept.subList(Math.max(0, kept.size() - max), kept.size()).forEach(l -> text.append(l).append('\n'));
            }
        } catch (IOException | UncheckedIOException e) {
            text.append("(logs not readable: ").append(e).append(")\n");
        }
        return text.toString();
    }

    /** Waits until the launcher prints {@code text}; fails if it exits first or time runs out. */
    void awaitOutput(String text, Duration timeout) {
        await("output '" + text + "'", timeout, () -> output().contains(text));
    }

    /** Waits until {@code url} answers 200. */
    void awaitOk(String url, Duration timeout) {
        await(url + " to answer 200", timeout, () -> status(url) == 200);
    }

    /** Pids the launcher recorded under {@code <data>/run}, by process name. */
    Map<String, Long> recordedPids() throws IOException {
        Map<String, Long> pids = new TreeMap<>();
        try (Stream<Path> files = Files.list(dataDir.resolve("run"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                pids.put(file.getFileName().toString().replace(".pid", ""), Long.parseLong(Files.readString(file).trim()));
            }
        }
        return pids;
    }

    /** Sends SIGTERM, waits for the launcher to exit and returns its exit status. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("launcher still running %s after SIGTERM; output:%n%s", timeout, output());
        }
        return process.exitValue();
    }

    /** Asserts that none of {@code pids} is alive any more. */
    static void assertAllGone(Map<String, Long> pids) {
        assertThat(pids).allSatisfy((name, pid) -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("%s (pid %d) after the launcher exited", name, pid).isEmpty());
    }

    /**
     * Free ports for every listener {@code deploy/local/run} opens, as the environment it reads them from:
     * the ITs that start the launcher run beside other stacks and must not meet their ports.
     */
    static Map<String, String> freeLauncherPorts() throws IOException {
        List<String> names = List.of("TOKENLOG_HTTP_PORT", "TOKENLOG_WORKER_HTTP_PORT", "TOKENLOG_MANAGEMENT_PORT",
                "TOKENLOG_WORKER_MANAGEMENT_PORT", "TOKENLOG_KAFKA_PORT", "TOKENLOG_KAFKA_CONTROLLER_PORT",
                "TOKENLOG_REGISTRY_PORT", "TOKENLOG_REGISTRY_MANAGEMENT_PORT");
        List<Integer> ports = freePorts(names.size());
        Map<String, String> env = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            env.put(names.get(i), ports.get(i).toString());
        }
        return env;
    }

    /** Frees the given number of distinct loopback ports (all held open together, then released). */
    static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    static int status(String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                fail("launcher exited (status %d) while waiting for %s; output:%n%s",
                        process.exitValue(), what, output());
            }
            if (Instant.now().isAfter(deadline)) {
                fail("no %s within %s; launcher output:%n%s", what, timeout, output());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }

    /** Stops the launcher and, should it not manage, every process it started. */
    @Override
    public void close() throws IOException {
        Map<String, Long> pids = Files.isDirectory(dataDir.resolve("run")) ? recordedPids() : Map.of();
        List<ProcessHandle> children = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            try {
                process.waitFor(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        pids.values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
}
