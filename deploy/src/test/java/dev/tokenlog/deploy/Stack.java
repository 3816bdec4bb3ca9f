package dev.tokenlog.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole local stack as separate JVMs, started the way {@code deploy/local/run} starts them but
 * each one on its own, so a test can kill and restart any of them: the KRaft broker
 * ({@link LocalKafka} from this module's classes and {@code target/lib}), the Apicurio registry
 * (file-backed H2, so schema ids survive its restarts), llm-workers and gateways (the packaged
 * Quarkus jars). Ports are fixed when the stack is created, so a restarted broker, registry or
 * gateway comes back where its clients expect it, on the same data and state directories.
 * {@link #close} kills every process it started, and a shutdown hook does the same should the test
 * JVM be stopped first.
 */
final class Stack implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(180);
    /** Stream tokens are HMACs: every gateway needs the same secret to accept the others' tokens. */
    private static final String TOKEN_SECRET = "process-faults-test-secret";
    private static final List<String> APP_JVM = List.of("-Xmx320m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /**
     * A Quarkus app of the stack: its public HTTP base URL and that of its management interface
     * (health and metrics, on a port of their own).
     */
    record App(JvmProcess jvm, String url, String management) {
        App awaitReady() {
            jvm.awaitHttpOk(management + "/q/health/ready", START);
            return this;
        }

        /** {@code /q/health/ready} on the management port: status and body. */
        JvmProcess.Answer readiness() {
            return JvmProcess.get(management + "/q/health/ready");
        }
    }

    private final Path root;
    private final Path dir;
    private final int kafkaPort;
    private final int registryPort;
    private final JvmProcess kafka;
    private final JvmProcess registry;
    private final Map<String, App> gateways = new HashMap<>();
    private final List<App> workers = new ArrayList<>();
    private final List<JvmProcess> all = new ArrayList<>();
    private final Thread cleanup = new Thread(this::killAll, "stack-cleanup");
    private int kafkaStarts;

    private Stack(Path root, Path dir) throws IOException {
        this.root = root;
        this.dir = Files.createDirectories(dir);
        Files.createDirectories(dir.resolve("logs"));
        List<Integer> ports = LauncherProcess.freePorts(4);
        kafkaPort = ports.get(0);
        kafka = register(new JvmProcess("kafka", List.of("-Xms64m", "-Xmx512m",
                "-cp", root.resolve("deploy/target/classes") + File.pathSeparator + root.resolve("deploy/target/lib") + "/*",
                "dev.tokenlog.deploy.LocalKafka", "--port", String.valueOf(kafkaPort),
                "--controller-port", ports.get(1).toString(), "--data-dir", dir.toString(), "--partitions", "3"),
                Map.of(), log("kafka")));
        registryPort = ports.get(2);
        registry = register(new JvmProcess("registry", List.of("-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + registryPort,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + ports.get(3),
                "-Dquarkus.http.access-log.enabled=false",
                "-Dapicurio.storage.kind=sql", "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=jdbc:h2:file:" + dir.resolve("registry/registry") + ";WRITE_DELAY=0",
                "-Dapicurio.datasource.jdbc.initial-size=2", "-Dapicurio.datasource.jdbc.min-size=2",
                "-Dapicurio.datasource.jdbc.max-size=20",
                "-jar", registryHome().resolve("quarkus-run.jar").toString()), Map.of(), log("registry")));
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** A stack of nothing running yet; {@code dir} holds data, state and one log per process. */
    static Stack create(Path root, Path dir) throws IOException {
        return new Stack(root, dir);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    String registryUrl() {
        return "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
    }

    Path logs() {
        return dir.resolve("logs");
    }

    JvmProcess kafka() {
        return kafka;
    }

    JvmProcess registry() {
        return registry;
    }

    /** Starts the broker (again, on the same port and data) and waits for its ready line. */
    void startKafka() {
        kafka.start();
        kafkaStarts++;
        kafka.awaitLogLines(LocalKafka.READY_PREFIX, kafkaStarts, START);
    }

    /** Starts the registry (again, on the same port and database) and waits until it serves subjects. */
    void startRegistry() {
        registry.start().awaitHttpOk(registryUrl() + "/subjects", START);
    }

    /** Starts a new llm-worker on a free port with {@code env} added; does not wait for readiness. */
    App startWorker(Map<String, String> env) throws IOException {
        List<Integer> ports = LauncherProcess.freePorts(2);
        Map<String, String> workerEnv = new HashMap<>(appEnv(ports));
        workerEnv.putAll(env);
        String name = "worker-" + (workers.size() + 1);
        App worker = new App(register(new JvmProcess(name, jar("llm-worker"), workerEnv, log(name))),
                "http://127.0.0.1:" + ports.get(0), "http://127.0.0.1:" + ports.get(1));
        workers.add(worker);
        worker.jvm().start();
        return worker;
    }

    /** Workers started so far that still run. */
    List<App> liveWorkers() {
        return workers.stream().filter(w -> w.jvm().alive()).toList();
    }

    /**
     * The gateway {@code name} (stream-fanout: HTTP API, SSE and a Kafka Streams fold member), on
     * its own fixed port and state directory; created on first use, not started.
     */
    App gateway(String name) throws IOException {
        App existing = gateways.get(name);
        if (existing != null) {
            return existing;
        }
        List<Integer> ports = LauncherProcess.freePorts(2);
        Map<String, String> env = new HashMap<>(appEnv(ports));
        env.put("TOKENLOG_STATE_DIR", dir.resolve("streams-" + name).toString());
        env.put("TOKENLOG_GATEWAY_TOKEN_SECRET", TOKEN_SECRET);
        // As deploy/local/run: every client of these tests is 127.0.0.1, one tenant for the quotas.
        for (String quota : List.of("REQUESTS_IN_FLIGHT", "SUBSCRIPTIONS", "WAITING_COMPLETIONS")) {
            env.put("TOKENLOG_QUOTAS_" + quota, "100000");
        }
        List<String> command = new ArrayList<>(List.of(
                // As the apps' tests run the fold: a killed member's partitions move after 10 s, not 45 s.
                "-Dkafka-streams.consumer.session.timeout.ms=10000"));
        command.addAll(jar("stream-fanout"));
        App gateway = new App(register(new JvmProcess("gateway-" + name, command, env, log("gateway-" + name))),
                "http://127.0.0.1:" + ports.get(0), "http://127.0.0.1:" + ports.get(1));
        gateways.put(name, gateway);
        return gateway;
    }

    /** Kills every process, newest first. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    private synchronized void killAll() {
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).kill();
        }
    }

    private synchronized JvmProcess register(JvmProcess process) {
        all.add(process);
        return process;
    }

    /** @param ports the app's HTTP port, then its management port */
    private Map<String, String> appEnv(List<Integer> ports) {
        return Map.of(
                "QUARKUS_HTTP_HOST", "127.0.0.1",
                "QUARKUS_HTTP_PORT", String.valueOf(ports.get(0)),
                "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(ports.get(1)),
                "KAFKA_BOOTSTRAP_SERVERS", bootstrapServers(),
                "TOKENLOG_REGISTRY_URL", registryUrl(),
                "TOKENLOG_MOCK_ENABLED", "true");
    }

    private List<String> jar(String module) {
        List<String> command = new ArrayList<>(APP_JVM);
        command.add("-jar");
        command.add(root.resolve(module + "/target/quarkus-app/quarkus-run.jar").toString());
        return command;
    }

    private Path log(String name) {
        return dir.resolve("logs").resolve(name + ".log");
    }

    private static Path registryHome() {
        String home = System.getProperty("tokenlog.apicurio.home");
        if (home == null) {
            throw new IllegalStateException("system property tokenlog.apicurio.home (the unpacked Apicurio Registry) is not set");
        }
        return Path.of(home);
    }
}
