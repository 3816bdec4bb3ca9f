package dev.tokenlog.fanout;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real llm-worker JVM ({@link WorkerProcess}) for the whole test class:
 * {@code @RegisterExtension static final WorkerJvm WORKER = new WorkerJvm();}.
 */
public final class WorkerJvm implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> env;
    private WorkerProcess worker;

    public WorkerJvm() {
        this(Map.of());
    }

    /** A worker with extra environment variables (Quarkus config, e.g. a provider entry). */
    public WorkerJvm(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        worker = WorkerProcess.start(env);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (worker != null) {
            worker.close();
        }
    }
}
