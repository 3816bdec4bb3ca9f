package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown of a worker (SIGTERM): it stops taking requests, lets the streams it runs finish
 * within the drain timeout, commits and exits. The finished streams are not run again; a request sent
 * while it drains waits for another worker. A real worker JVM, the gateway and fold in this JVM.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class WorkerDrainTest {
    private static final int IN_FLIGHT = 4;
    private static final int WORDS = 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    String base;

    @Test
    void aTerminatedWorkerFinishesItsStreamsAndTakesNoNewOnes() throws Exception {
        GatewayApi api = new GatewayApi(base);
        List<String> running = new ArrayList<>();
        String late;
        try (WorkerProcess draining = WorkerProcess.start(Map.of("TOKENLOG_WORKER_DRAIN_TIMEOUT", "60s"))) {
            for (int i = 0; i < IN_FLIGHT; i++) {
                running.add(api.createMock("mock/lorem", "drain", WORDS, "2").get("id").asText()); // ~10 s each: still running when the last is seen RUNNING on a loaded machine
            }
            for (String id : running) {
                api.awaitStatus(id, "RUNNING", WAIT);
            }

            draining.terminate();
            draining.awaitLog("draining " + IN_FLIGHT + " in-flight streams", WAIT);
            late = api.createMock("mock/echo", "after the stop", 64, "0").get("id").asText();

            assertThat(draining.awaitExit(WAIT)).as("the worker exits once its streams are done").isTrue();
            for (String id : running) {
                JsonNode answer = api.stream(id);
                assertThat(answer.get("status").asText()).as("%s finished during the drain", id).isEqualTo("COMPLETED");
                assertThat(answer.get("text").asText().split(" ")).hasSize(WORDS);
                assertThat(answer.get("attempts").asInt()).as("not redelivered").isEqualTo(1);
            }
            assertThat(api.stream(late).get("status").asText()).as("not taken by the draining worker")
                    .isIn("PENDING", "ACCEPTED");
        }

        try (WorkerProcess next = WorkerProcess.start()) {
            JsonNode answer = api.awaitStatus(late, "COMPLETED", WAIT);
            assertThat(answer.get("text").asText()).isEqualTo("after the stop");
            assertThat(answer.get("attempts").asInt()).isEqualTo(1);
            for (String id : running) {
                assertThat(api.stream(id).get("attempts").asInt()).as("%s not run again by the next worker", id).isEqualTo(1);
            }
        }
    }
}
