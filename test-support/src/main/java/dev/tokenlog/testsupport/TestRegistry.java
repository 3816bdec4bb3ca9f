package dev.tokenlog.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A real Apicurio Registry 3.3.3 process (in-memory H2 storage) on loopback, shared by every test of
 * the JVM and stopped by a JVM shutdown hook.
 *
 * <p>Behaviour of its Confluent-compatible API ({@link #ccompatUrl()}), checked against 3.3.3 with
 * curl:
 * <ul>
 *   <li>Schema ids are content ids ({@code apicurio.ccompat.legacy-id-mode.enabled=false}, the
 *       default, kept on purpose): the same schema under two subjects gets the same id, as with
 *       Confluent, and it is the id Apicurio's 3.x serdes write. Ids can skip numbers.
 *   <li>Re-registering or looking up a differently formatted but equal schema in the same subject
 *       returns the existing id without {@code apicurio.ccompat.use-canonical-hash}; that flag does
 *       not make formatting variants share an id across subjects either, so it is left off.
 *   <li>{@code apicurio.rules.global.compatibility=BACKWARD} is set because Confluent's default
 *       compatibility is BACKWARD, while Apicurio has no global rule (GET /config said NONE and
 *       accepted incompatible versions). Per-subject PUT /config/{subject} overrides it, and
 *       POST /compatibility/subjects/{s}/versions/latest answers {@code is_compatible} as Confluent.
 *   <li>Errors carry Confluent's codes: 40401 unknown subject, 40403 unknown id, 409 incompatible,
 *       42201 unparseable schema (without any validity rule).
 *   <li>ccompat DELETE /subjects/{s} (soft, then {@code ?permanent=true}) works by default; the
 *       {@code apicurio.rest.deletion.*.enabled} flags are set so the v3 API can delete too (405
 *       otherwise).
 * </ul>
 *
 * <p>Storage is in memory, so {@link #stop()} then {@link #start()} loses every schema and ids
 * restart from 1: a client that cached id 1 before the restart can meet a different schema under
 * it after. Tests of "registry down, then back" should register their schemas again.
 *
 * <p>The ports and the process id live in system properties because Quarkus loads this class again
 * in each test class loader, and every copy must drive the same process. Starting and stopping are
 * not meant to be called concurrently from different class loaders.
 */
public final class TestRegistry {
    /** System property naming the unpacked registry distribution; the parent pom sets it for surefire. */
    public static final String HOME_PROPERTY = "tokenlog.apicurio.home";

    private static final String PORT_PROPERTY = "tokenlog.test.registry.port";
    private static final String MANAGEMENT_PORT_PROPERTY = "tokenlog.test.registry.management-port";
    private static final String PID_PROPERTY = "tokenlog.test.registry.pid";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(TestRegistry.class.getName());

    private static TestRegistry shared; // guarded by TestRegistry.class

    private final int port;
    private final int managementPort;

    private TestRegistry(int port, int managementPort) {
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * The registry of this JVM, started and ready on first use (about 4 s). If a copy of this class
     * in another class loader started it already, this is a view of that process, in whatever state
     * ({@link #stop()}) a test left it.
     *
     * @throws IllegalStateException if the distribution is missing or the registry does not start
     */
    public static synchronized TestRegistry shared() {
        if (shared == null) {
            String port = System.getProperty(PORT_PROPERTY);
            shared = port != null
                    ? new TestRegistry(Integer.parseInt(port), Integer.getInteger(MANAGEMENT_PORT_PROPERTY))
                    : startFirst();
        }
        return shared;
    }

    private static TestRegistry startFirst() {
        int port = freePort();
        int managementPort;
        do {
            managementPort = freePort();
        } while (managementPort == port);
        TestRegistry registry = new TestRegistry(port, managementPort);
        registry.start();
        // Published only after a successful start, so a failed start is retried by the next caller.
        System.setProperty(PORT_PROPERTY, Integer.toString(registry.port));
        System.setProperty(MANAGEMENT_PORT_PROPERTY, Integer.toString(registry.managementPort));
        Runtime.getRuntime().addShutdownHook(
                Thread.ofPlatform().name("test-registry-shutdown").unstarted(TestRegistry::stopCurrent));
        return registry;
    }

    /** {@code http://127.0.0.1:<port>}; the same across {@link #stop()} and {@link #start()}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The Confluent Schema Registry compatible API, for Confluent-style clients. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Apicurio's own v3 API, for Apicurio serdes and SDK. */
    public String registryV3Url() {
        return baseUrl() + "/apis/registry/v3";
    }

    /** Where the registry's output goes (appended across restarts). */
    public Path logFile() {
        return Path.of(System.getProperty("user.dir"), "target", "apicurio-" + port + ".log");
    }

    /** Whether the registry process is alive (it may still be starting). */
    public boolean isRunning() {
        return currentProcess().map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Starts the registry on the same ports as before and waits until it serves requests; does
     * nothing if it is running. It comes back empty (see the class comment).
     *
     * @throws IllegalStateException with the log tail if it does not become ready within 60 s
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        long begin = System.nanoTime();
        ProcessHandle process;
        try {
            process = RegistryProcess.launch(home(), port, managementPort, logFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not launch Apicurio Registry; log: " + logFile(), e);
        }
        System.setProperty(PID_PROPERTY, Long.toString(process.pid()));
        try {
            RegistryProcess.awaitReady(process, URI.create(ccompatUrl() + "/subjects"), logFile(), STARTUP_TIMEOUT);
        } catch (RuntimeException e) {
            System.clearProperty(PID_PROPERTY);
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "Apicurio Registry at {0} ready in {1} ms (log: {2})",
                baseUrl(), Duration.ofNanos(System.nanoTime() - begin).toMillis(), logFile());
    }

    /**
     * Stops the registry (SIGTERM, then SIGKILL after 10 s) and waits until it has exited, so the
     * port refuses connections; does nothing if it is not running.
     */
    public synchronized void stop() {
        stopCurrent();
    }

    private static void stopCurrent() {
        currentProcess().ifPresent(process -> RegistryProcess.stop(process, STOP_GRACE));
        System.clearProperty(PID_PROPERTY);
    }

    private static Optional<ProcessHandle> currentProcess() {
        return Optional.ofNullable(System.getProperty(PID_PROPERTY)).map(Long::parseLong).flatMap(ProcessHandle::of);
    }

    private static Path home() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || !Files.isRegularFile(Path.of(home, "quarkus-run.jar"))) {
            throw new IllegalStateException("Apicurio Registry distribution not found (system property "
                    + HOME_PROPERTY + "=" + home + "). Run `./mvnw install -pl test-support` from the project "
                    + "root to unpack it, and run tests through Maven so surefire sets the property.");
        }
        return Path.of(home);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port for Apicurio Registry", e);
        }
    }
}
