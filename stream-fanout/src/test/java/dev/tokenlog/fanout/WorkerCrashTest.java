package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A worker killed with SIGKILL mid-stream: the requests it was running are redelivered to the other
 * worker, run again as new attempts, and each still ends in exactly one COMPLETED answer with the
 * full text. Two real worker JVMs, the gateway and fold in this JVM, real broker and registry.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class WorkerCrashTest {
    private static final int REQUESTS = 12;
    private static final int WORDS = 30;
    private static final Map<String, String> FAST_FAILOVER = Map.of("TOKENLOG_WORKER_SESSION_TIMEOUT", "6s");

    @TestHTTPResource("/")
    String base;

    @Test
    void requestsOfAKilledWorkerCompleteOnAnotherWithANewAttemptAndOneAnswerEach() throws Exception {
        try (WorkerProcess doomed = WorkerProcess.start(FAST_FAILOVER);
             WorkerProcess survivor = WorkerProcess.start(FAST_FAILOVER)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                ids.add(create());
            }
            // A status read of a running stream waits for the fold to pass its partition's end (read-your-writes:
            // a few hundred milliseconds), so the reads of one round go out together: one after another, the
            // first streams could end before the last is seen running.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<String>> statuses = new ArrayList<>();
                    for (String id : ids) {
                        statuses.add(reads.submit(() -> status(id)));
                    }
                    for (Future<String> status : statuses) {
                        if (!"RUNNING".equals(status.get())) {
                            return false;
                        }
                    }
                    return true;
                }
            });

            doomed.kill();

            List<JsonNode> answers = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                answers.clear();
                for (String id : ids) {
                    JsonNode answer = get(id);
                    if (!"COMPLETED".equals(answer.get("status").asText())) {
                        return false;
                    }
                    answers.add(answer);
                }
                return true;
            });
            assertThat(answers).allSatisfy(a -> assertThat(a.get("text").asText().split(" ")).hasSize(WORDS));
            assertThat(answers).as("some requests ran on the killed worker and needed a second attempt")
                    .anySatisfy(a -> assertThat(a.get("attempts").asInt()).isEqualTo(2));
            assertThat(answers).allSatisfy(a -> assertThat(a.get("attempts").asInt()).isBetween(1, 2));
        }
    }

    private String create() throws Exception {
        return api().createMock("mock/lorem", "go", WORDS, "5").get("id").asText();
    }

    private String status(String id) throws Exception {
        return get(id).get("status").asText();
    }

    private JsonNode get(String id) throws Exception {
        return api().stream(id);
    }

    private GatewayApi api() {
        return new GatewayApi(base);
    }
}
