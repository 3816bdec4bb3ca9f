package dev.tokenlog.fanout;

import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The real llm-worker application (its packaged JAR, built earlier in the reactor) as a child JVM
 * connected to the test broker and registry.
 */
final class WorkerProcess implements AutoCloseable {
    private static final Path JAR = Path.of("..", "llm-worker", "target", "quarkus-app", "quarkus-run.jar");

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static WorkerProcess start() throws IOException, InterruptedException {
        return start(java.util.Map.of());
    }

    /** Starts a worker with extra environment variables (Quarkus config, e.g. TOKENLOG_WORKER_SESSION_TIMEOUT). */
    static WorkerProcess start(java.util.Map<String, String> env) throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build the worker first (./mvnw install)");
        }
        int port = freePort();
        int managementPort = freePort();
        Path log = Path.of("target", "llm-worker-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", TestKafka.shared().bootstrapServers());
        builder.environment().put("TOKENLOG_REGISTRY_URL", TestRegistry.shared().ccompatUrl());
        builder.environment().put("TOKENLOG_MOCK_ENABLED", "true"); // the tests' provider
        builder.environment().put("TOKENLOG_LIMITS_PROVIDERS_MOCK_MAX_TOKENS", "20000"); // as the gateway's %test
        builder.environment().putAll(env);
        WorkerProcess worker = new WorkerProcess(builder.start(), log);
        worker.awaitReady(managementPort, Duration.ofSeconds(60));
        return worker;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the worker's readiness, on its management port, answers 200. */
    private void awaitReady(int managementPort, Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("llm-worker exited with " + process.exitValue() + "; log: " + tail());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // the worker is still starting
            }
            TimeUnit.MILLISECONDS.sleep(200); // poll interval while waiting on a condition
        }
        close();
        throw new IllegalStateException("llm-worker not ready within " + timeout + "; log: " + tail());
    }

    private String tail() throws IOException {
        String text = Files.readString(log);
        return text.substring(Math.max(0, text.length() - 4000));
    }

    /** Sends SIGTERM, as an orchestrator stopping the worker would: it drains, then exits. */
    void terminate() {
        process.destroy();
    }

    /** Waits until the process has exited; false if it still runs after {@code timeout}. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until the worker's log has a line containing {@code text}. */
    void awaitLog(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(log).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("llm-worker never logged '" + text + "'; log: " + tail());
            }
            TimeUnit.MILLISECONDS.sleep(50); // poll interval while waiting on a condition
        }
    }

    /** Kills the worker as a crash would: no shutdown, no drain, no offset commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
