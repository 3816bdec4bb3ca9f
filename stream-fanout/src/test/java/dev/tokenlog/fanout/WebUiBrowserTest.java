package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chat page at {@code /} in a real headless Chromium, against the gateway in this JVM, the real
 * llm-worker as a child JVM, a real broker and registry. The mock streams slowly (10 tokens/s), so
 * the test can drop the connection or reload the page mid-stream; the page must end with exactly
 * the text of the stream's final answer.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class WebUiBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int WORDS = 40;
    private static final int TTFT_MS = 300;
    private static final String SLOW_MOCK = "mock.tps=10 mock.ttft-ms=" + TTFT_MS;
    /** Words on screen before the test acts mid-stream; the stream still has 3+ seconds to go then. */
    private static final int MID_STREAM = 5;

    private static WorkerProcess worker;
    private static HeadlessChromium chromium;

    @TestHTTPResource("/")
    String base;

    private ChatPage page;

    @BeforeAll
    static void start() throws Exception {
        worker = WorkerProcess.start();
        chromium = HeadlessChromium.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try (WorkerProcess w = worker; HeadlessChromium c = chromium) {
            // closes both, each if it started
        }
    }

    @BeforeEach
    void openPage() {
        page = new ChatPage(chromium.driver(), WAIT).open(base);
    }

    @Test
    void streamsTheAnswerWithItsTimingsAndShowsItAgainAfterAReload() throws Exception {
        String id = page.send("tell me something", "mock/lorem", WORDS, SLOW_MOCK);

        page.await("the first words while the stream runs", p -> p.outputWords() > 0);
        assertThat(page.outputWords()).as("text appears as it streams, before the end").isLessThan(WORDS);
        page.await("the end of the stream", p -> p.status().equals("done"));

        JsonNode answer = api().awaitStatus(id, "COMPLETED", WAIT);
        assertThat(page.output()).isEqualTo(answer.get("text").asText());
        assertThat(page.outputWords()).isEqualTo(WORDS);
        assertThat(page.ttft()).matches("\\d+ ms");
        assertThat(Integer.parseInt(page.ttft().split(" ")[0])).as("time to first token").isGreaterThanOrEqualTo(TTFT_MS);
        assertThat(page.tokensPerSecond()).matches("\\d+\\.\\d tokens/s");
        assertThat(Double.parseDouble(page.tokensPerSecond().split(" ")[0])).as("the mock's 10 tokens/s")
                .isBetween(5.0, 20.0);

        page.reload();
        assertThat(page.status()).isEqualTo("done");
        assertThat(page.output()).isEqualTo(answer.get("text").asText());
        assertThat(page.connections()).as("a completed stream is shown from sessionStorage").isZero();
    }

    @Test
    void dropConnectionResumesAfterTheLastEventWithoutGapOrDuplicate() throws Exception {
        String id = page.send("tell me something", "mock/lorem", WORDS, SLOW_MOCK);
        page.await("a few words", p -> p.outputWords() >= MID_STREAM);
        String before = page.output();

        page.drop();

        page.await("a second connection", p -> p.connections() == 2);
        assertThat(page.connectedAfter()).as("reconnected with ?after=").matches("\\d+-\\d+");
        assertThat(page.status()).as("the drop came mid-stream").isNotEqualTo("done");
        page.await("the end of the stream", p -> p.status().equals("done"));
        JsonNode answer = api().awaitStatus(id, "COMPLETED", WAIT);
        assertThat(page.output()).startsWith(before).isEqualTo(answer.get("text").asText());
        assertThat(page.outputWords()).isEqualTo(WORDS);
    }

    @Test
    void reloadMidStreamResumesFromSessionStorageWithoutGapOrDuplicate() throws Exception {
        String id = page.send("tell me something", "mock/lorem", WORDS, SLOW_MOCK);
        page.await("a few words", p -> p.outputWords() >= MID_STREAM);
        String before = page.output();

        page.reload();

        assertThat(page.streamId()).isEqualTo(id);
        assertThat(page.output()).as("the stored output is shown at once").startsWith(before);
        assertThat(page.connections()).isEqualTo(1);
        assertThat(page.connectedAfter()).as("resumed with ?after= the stored event id").matches("\\d+-\\d+");
        assertThat(page.status()).as("the reload came mid-stream").isNotEqualTo("done");
        page.await("the end of the stream", p -> p.status().equals("done"));
        JsonNode answer = api().awaitStatus(id, "COMPLETED", WAIT);
        assertThat(page.output()).isEqualTo(answer.get("text").asText());
        assertThat(page.outputWords()).isEqualTo(WORDS);
    }

    @Test
    void cancelEndsTheStreamCancelledWithThePartialAnswer() throws Exception {
        String id = page.send("tell me something", "mock/lorem", WORDS, SLOW_MOCK);
        page.await("a few words", p -> p.outputWords() >= MID_STREAM);

        page.cancel();

        page.await("the stream to end", p -> !p.status().equals("streaming"));
        assertThat(page.status()).isEqualTo("cancelled");
        JsonNode answer = api().awaitStatus(id, "CANCELLED", WAIT);
        assertThat(page.output()).isEqualTo(answer.get("text").asText());
        assertThat(page.outputWords()).isBetween(MID_STREAM, WORDS - 1);
    }

    @Test
    void aFailedStreamShowsErrorWithTheProvidersMessage() throws Exception {
        String id = page.send("hello", "mock/no-such-model", WORDS, "");

        page.await("the stream to end", p -> p.status().equals("error"));
        api().awaitStatus(id, "FAILED", WAIT);
        assertThat(page.error()).startsWith("MODEL_NOT_FOUND: ").contains("no-such-model");
        assertThat(page.output()).isEmpty();
    }

    private GatewayApi api() {
        return new GatewayApi(base);
    }
}
