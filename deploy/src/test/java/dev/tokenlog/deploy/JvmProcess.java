package dev.tokenlog.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One child JVM of a test stack (broker, registry, worker or gateway): started with a fixed command
 * and environment, its output appended to one log file (across restarts), killed with SIGKILL or
 * stopped with SIGTERM. The same command can be started again after a stop, so a restarted broker
 * keeps its ports and data directory. Every failure message quotes the log's last lines.
 */
final class JvmProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String name;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    /**
     * @param jvmArgs options and main class or {@code -jar file} and arguments, after the java binary
     * @param env     added to the child's environment, after removing this JVM's {@code TOKENLOG_*},
     *                {@code KAFKA_*} and {@code QUARKUS_*} variables so only what the test sets applies
     */
    JvmProcess(String name, List<String> jvmArgs, Map<String, String> env, Path log) {
        this.name = name;
        this.command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(jvmArgs);
        this.env = Map.copyOf(env);
        this.log = log;
    }

    String name() {
        return name;
    }

    /** Starts the JVM; fails if it is already running. */
    synchronized JvmProcess start() {
        if (alive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("TOKENLOG_") || k.startsWith("KAFKA_")
                || k.startsWith("QUARKUS_"));
        builder.environment().putAll(env);
        try {
            Files.writeString(log, "---- " + Instant.now() + " starting " + name + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        return this;
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits until {@code url} answers 200; fails with the log tail if the JVM exits or time runs out. */
    JvmProcess awaitHttpOk(String url, Duration timeout) {
        return awaitUntil(url + " answering 200", timeout, () -> status(url) == 200);
    }

    /** Waits until the log (of this run or an earlier one) has {@code count} lines containing {@code text}. */
    JvmProcess awaitLogLines(String text, int count, Duration timeout) {
        return awaitUntil(count + " log lines with '" + text + "'", timeout,
                () -> logText().lines().filter(l -> l.contains(text)).count() >= count);
    }

    /** Polls {@code condition} while the JVM runs; fails with the log tail if it exits or time runs out. */
    JvmProcess awaitUntil(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (!alive()) {
                throw new AssertionError(name + " exited while waiting for " + what + "; log " + log + ":\n" + tail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(name + ": no " + what + " within " + timeout + "; log " + log + ":\n" + tail());
            }
            sleepPoll();
        }
        return this;
    }

    /** SIGKILL, as a crash: no shutdown hook, no clean leave of any group. Waits until it is gone. */
    void kill() {
        Process p = current();
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            waitGone(p, Duration.ofSeconds(30));
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within 30 s. Waits until it is gone. */
    void stop() {
        Process p = current();
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** The whole log of every run of this process. */
    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last 40 lines of the log. */
    String tail() {
        List<String> lines = logText().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Kills whatever still runs. */
    @Override
    public void close() {
        kill();
    }

    /** A GET's status and body. */
    record Answer(int status, String body) {}

    /** HTTP status of a GET, or -1 when nothing answers. */
    static int status(String url) {
        return get(url).status();
    }

    /** A GET's status and body; status -1 and an empty body when nothing answers. */
    static Answer get(String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "");
        }
    }

    private synchronized Process current() {
        return process;
    }

    private void waitGone(Process p, Duration timeout) {
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + p.pid() + ") survived SIGKILL for " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepPoll() {
        try {
            Thread.sleep(200); // poll interval while waiting on a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
