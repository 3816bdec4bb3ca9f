package dev.tokenlog.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Launching, probing and stopping one Apicurio Registry JVM; {@link TestRegistry} owns the policy. */
final class RegistryProcess {
    /** Registry settings; see {@link TestRegistry} for why each is needed. */
    static final List<String> REGISTRY_CONFIG = List.of(
            "-Dapicurio.rules.global.compatibility=BACKWARD",
            "-Dapicurio.rest.deletion.group.enabled=true",
            "-Dapicurio.rest.deletion.artifact.enabled=true",
            "-Dapicurio.rest.deletion.artifact-version.enabled=true");

    /** Quiet logs: warnings plus the HTTP access log, which shows what a failing test asked. */
    private static final List<String> LOG_CONFIG = List.of(
            "-Dquarkus.log.level=WARN",
            "-Dquarkus.log.category.\"io.apicurio\".level=WARN",
            "-Dquarkus.banner.enabled=false");

    /** Capped heap; C1 only, which starts it in ~3-4 s instead of ~5-6 s on 2 cores. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:TieredStopAtLevel=1");

    private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

    private RegistryProcess() {
    }

    /** Starts the registry JVM, its output appended to {@code log}; does not wait for readiness. */
    static ProcessHandle launch(Path home, int port, int managementPort, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        // Both interfaces on loopback: management would otherwise bind 0.0.0.0:9000 and clash
        // between parallel builds.
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.management.host=127.0.0.1");
        command.add("-Dquarkus.management.port=" + managementPort);
        command.addAll(LOG_CONFIG);
        command.addAll(REGISTRY_CONFIG);
        command.add("-jar");
        command.add("quarkus-run.jar");
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start()
                .toHandle();
    }

    /**
     * Polls {@code probe} until it answers 200.
     *
     * @throws IllegalStateException with the log tail if the process exits or the deadline passes
     */
    static void awaitReady(ProcessHandle process, URI probe, Path log, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(2)).GET().build();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (true) {
                if (!process.isAlive()) {
                    throw failure("Apicurio Registry exited during startup", log);
                }
                if (answersOk(http, request)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    stop(process, Duration.ofSeconds(5));
                    throw failure("Apicurio Registry was not ready at " + probe + " within " + timeout, log);
                }
                Thread.sleep(PROBE_INTERVAL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(process, Duration.ofSeconds(5));
            throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
        }
    }

    private static boolean answersOk(HttpClient http, HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet, or a reset while Quarkus is still opening its routes
        }
    }

    /** Asks the process to exit (SIGTERM, so Quarkus shuts down cleanly), then kills it after {@code grace}. */
    static void stop(ProcessHandle process, Duration grace) {
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            process.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static IllegalStateException failure(String what, Path log) {
        return new IllegalStateException(what + "; full log: " + log + "\n--- last lines ---\n" + tail(log, 40));
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }
}
