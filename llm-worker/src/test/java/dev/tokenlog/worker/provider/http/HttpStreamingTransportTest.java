package dev.tokenlog.worker.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.FixtureServer.Reply;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Vert.x transport under {@link HttpStreaming}: back-pressure, close, pool size, keep-alive, redirects. */
class HttpStreamingTransportTest {
    private static final int SLACK = 64 * 1024; // one network read beyond the bound, at most
    private final HttpStreaming http = new HttpStreaming("local", Duration.ofSeconds(10), Secrets.of());

    private static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private InputStream open(String url) throws Exception {
        return http.open(post(url, "{}"), TestCalls.simple(), "text/event-stream");
    }

    @Test
    void aProviderOutpacingItsReaderIsPausedNearTheBound() throws Exception {
        byte[] payload = new byte[8 * 1024 * 1024];
        Arrays.fill(payload, (byte) 'x');
        try (FixtureServer server = new FixtureServer()) {
            server.then(Reply.stream("text/event-stream", payload).pieces(FixtureServer.split(payload, 64 * 1024)));
            VertxExchange body = (VertxExchange) open(server.baseUrl() + "/fast");
            await().atMost(Duration.ofSeconds(10)).until(() -> body.maxQueued() > VertxExchange.MAX_QUEUED);
            // The reader reads nothing meanwhile: without the pause the whole 8 MiB would be queued.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> body.maxQueued() <= VertxExchange.MAX_QUEUED + SLACK);
            long total = 0;
            byte[] buffer = new byte[8 * 1024];
            for (int n; (n = body.read(buffer)) != -1; ) {
                total += n;
            }
            body.close();
            assertThat(total).isEqualTo(payload.length);
            assertThat(body.maxQueued()).isLessThanOrEqualTo(VertxExchange.MAX_QUEUED + SLACK);
        }
    }

    @Test
    void closeFromAnotherThreadEndsABlockedReadAndTheConnectionIsDropped() throws Exception {
        try (RawHttpServer server = new RawHttpServer()) {
            InputStream body = open(server.url("/stall"));
            assertThat(new String(body.readNBytes(RawHttpServer.FIRST.length()), StandardCharsets.UTF_8))
                    .isEqualTo(RawHttpServer.FIRST);
            CompletableFuture<Throwable> readOutcome = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    readOutcome.complete(new AssertionError("read returned " + body.read()));
                } catch (IOException expected) {
                    readOutcome.complete(expected);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> reader.getState() == Thread.State.WAITING);

            body.close();

            assertThat(readOutcome.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            assertThat(server.stalledClosedByClient().await(5, TimeUnit.SECONDS)).as("connection closed").isTrue();
            int stalled = server.servedBy().get(0);
            for (int i = 0; i < 4; i++) {
                try (InputStream next = open(server.url("/whole"))) {
                    assertThat(new String(next.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(RawHttpServer.WHOLE);
                }
            }
            assertThat(server.servedBy()).containsOnlyOnce(stalled);
        }
    }

    @Test
    void wholeResponsesLeaveTheirConnectionForTheNextRequest() throws Exception {
        int requests = 4 * Runtime.getRuntime().availableProcessors() + 2;
        try (RawHttpServer server = new RawHttpServer()) {
            for (int i = 0; i < requests; i++) {
                try (InputStream body = open(server.url("/whole"))) {
                    assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(RawHttpServer.WHOLE);
                }
            }
            assertThat(server.servedBy()).hasSize(requests);
            // One connection per event loop at most: the others were reused.
            assertThat(server.connections()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void closingRightAfterTheDataNeverBreaksAnotherExchangeOnAReusedConnection() throws Exception {
        int threads = 4;
        int each = 100;
        try (RawHttpServer server = new RawHttpServer()) {
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        // As an adapter does after its terminal marker: close without reading to the end.
                        try (InputStream body = open(server.url("/paced"))) {
                            String data = new String(body.readNBytes(RawHttpServer.WHOLE.length()), StandardCharsets.UTF_8);
                            if (!data.equals(RawHttpServer.WHOLE)) {
                                failures.add(new AssertionError("read '" + data + "'"));
                            }
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread worker : workers) {
                worker.join(Duration.ofSeconds(60));
            }
            assertThat(failures).isEmpty();
            assertThat(server.servedBy()).hasSize(threads * each);
        }
    }

    @Test
    void twoThousandStreamsToOneHostAreOpenAtOnce() throws Exception {
        int streams = 2000;
        String first = "data: first\n\n";
        try (FixtureServer server = new FixtureServer()) {
            for (int i = 0; i < streams; i++) {
                server.then(Reply.stream("text/event-stream", first).ending(FixtureServer.Ending.STALL));
            }
            CountDownLatch gotFirstBytes = new CountDownLatch(streams);
            ConcurrentLinkedQueue<InputStream> open = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        InputStream body = open(server.baseUrl() + "/stream");
                        open.add(body);
                        if (new String(body.readNBytes(first.length()), StandardCharsets.UTF_8).equals(first)) {
                            gotFirstBytes.countDown();
                        }
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }));
            }
            try {
                assertThat(gotFirstBytes.await(60, TimeUnit.SECONDS))
                        .as("streams with their first bytes: %d of %d; %d failed, e.g. %s",
                                streams - gotFirstBytes.getCount(), streams, failures.size(), failures.peek())
                        .isTrue();
            } finally {
                for (Thread t : threads) {
                    t.join(Duration.ofSeconds(10));
                }
                open.forEach(body -> {
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // closing never fails
                    }
                });
            }
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void aPostRedirectedWith307IsRepeatedWithItsBody() throws Exception {
        try (FixtureServer server = new FixtureServer()) {
            server.then(Reply.error(307, Map.of("location", "/moved"), ""))
                    .then(Reply.stream("text/event-stream", RawHttpServer.WHOLE));
            try (InputStream body = http.open(post(server.baseUrl() + "/start", "{\"a\":1}"), TestCalls.simple(),
                    "text/event-stream")) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(RawHttpServer.WHOLE);
            }
            assertThat(server.received()).hasSize(2);
            assertThat(server.received().get(1).method()).isEqualTo("POST");
            assertThat(server.received().get(1).path()).isEqualTo("/moved");
            assertThat(server.received().get(1).body()).isEqualTo("{\"a\":1}");
        }
    }

    @Test
    void aRedirectToAnotherOriginKeepsNoCredentialOnlyOnTheSameOrigin() throws Exception {
        try (FixtureServer first = new FixtureServer(); FixtureServer other = new FixtureServer()) {
            first.then(Reply.error(307, Map.of("location", "/same"), ""))
                    .then(Reply.error(307, Map.of("location", other.baseUrl() + "/elsewhere"), ""));
            other.then(Reply.stream("text/event-stream", RawHttpServer.WHOLE));
            HttpRequest request = HttpRequest.newBuilder(URI.create(first.baseUrl() + "/start"))
                    .header("content-type", "application/json").header("authorization", "Bearer sk-secret-1")
                    .header("x-api-key", "sk-secret-2").header("x-goog-api-key", "sk-secret-3")
                    .header("openai-organization", "org-1").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            try (InputStream body = http.open(request, TestCalls.simple(), "text/event-stream")) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(RawHttpServer.WHOLE);
            }
            assertThat(first.received().get(1).headers()).as("a redirect within the origin")
                    .containsKeys("Authorization", "X-api-key", "X-goog-api-key");
            Map<String, List<String>> elsewhere = other.received().get(0).headers();
            assertThat(elsewhere.keySet()).as("headers sent to another origin")
                    .noneMatch(name -> VertxTransport.CREDENTIALS.contains(name.toLowerCase(java.util.Locale.ROOT)))
                    .anyMatch(name -> name.equalsIgnoreCase("openai-organization"));
        }
    }

    @Test
    void aPostRedirectedWith303ContinuesAsAGetWithoutBody() throws Exception {
        try (FixtureServer server = new FixtureServer()) {
            server.then(Reply.error(303, Map.of("location", server.baseUrl() + "/other"), ""))
                    .then(Reply.stream("text/event-stream", RawHttpServer.WHOLE));
            try (InputStream body = open(server.baseUrl() + "/start")) {
                assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(RawHttpServer.WHOLE);
            }
            assertThat(server.received().get(1).method()).isEqualTo("GET");
            assertThat(server.received().get(1).path()).isEqualTo("/other");
            assertThat(server.received().get(1).body()).isEmpty();
        }
    }
}
