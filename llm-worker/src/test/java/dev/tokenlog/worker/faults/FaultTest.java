package dev.tokenlog.worker.faults;

import dev.tokenlog.worker.provider.contract.FixtureServer;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every fault test class of the worker shares: the fault server the {@link FaultProfile}'s provider
 * entries point at (cleared before each test), a reader of {@code llm.chunks} and the dead-letter topic
 * ({@link FaultKafka}), and the worker's readiness URL, checked at the end of each class.
 */
abstract class FaultTest {
    static FaultKafka kafka;

    @FaultProfile.Server
    FixtureServer server;

    @TestHTTPResource(value = "health/ready", management = true) // under the management root, /q
    URI readiness;

    @BeforeAll
    static void openKafka() {
        kafka = new FaultKafka();
    }

    @AfterAll
    static void closeKafka() {
        kafka.close();
    }

    @BeforeEach
    void clearServer() {
        server.clear();
    }
}
