package dev.tokenlog.fanout;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real llm-worker JVM ({@link WorkerProcess}) for the whole test class:
 * {@code @RegisterExtension static final WorkerJvm WORKER = new WorkerJvm();}.
 */
public final class WorkerJvm implements BeforeAllCallback, AfterAllCallback {
    private WorkerProcess worker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        worker = WorkerProcess.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (worker != null) {
            worker.close();
        }
    }
}
