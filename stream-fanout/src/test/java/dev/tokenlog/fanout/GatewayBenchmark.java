package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.fanout.bench.IdleSubscribers;
import dev.tokenlog.fanout.sse.LiveTail;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test of timing: what one gateway instance holds and how fast it serves, on this
 * machine, with the in-JVM broker and a real worker JVM sharing its cores. Prints figures; asserts
 * only that every subscriber got every event. Run with
 * {@code ./mvnw -B -pl llm-worker,stream-fanout -am verify -Pbench -Dtest=GatewayBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.idle=10000 -Dbench.active=2000 -Dbench.fanout=1000}).
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
@Tag("benchmark")
class GatewayBenchmark {
    private static final int IDLE = Integer.getInteger("bench.idle", 10_000);
    private static final int ACTIVE = Integer.getInteger("bench.active", 2_000);
    private static final int FANOUT = Integer.getInteger("bench.fanout", 1_000);
    private static final int RESUMES = Integer.getInteger("bench.resumes", 300);
    private static final int REPLAY_TOKENS = Integer.getInteger("bench.replay-tokens", 20_000);
    private static final Duration WAIT = Duration.ofMinutes(5);
    /** HTTP/1.1: one connection per subscriber, as EventSource clients behind proxies use. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    String base;

    @Inject
    LiveTail tail;

    @Test
    void gatewayFigures() throws Exception {
        List<String> report = new ArrayList<>();
        try (WorkerProcess worker = WorkerProcess.start()) {
            idleSubscribers(report);
            fanOut(report);
            activeSubscribers(report);
            String completed = replay(report);
            resume(completed, report);
        }
        System.out.printf("%nBENCHMARK gateway (%d cores):%n", Runtime.getRuntime().availableProcessors());
        report.forEach(line -> System.out.println("  " + line));
        System.out.println();
    }

    /** Idle subscribers from a separate client JVM; heap per subscriber measured in this (the gateway's) JVM. */
    private void idleSubscribers(List<String> report) throws Exception {
        long before = usedHeapAfterGc();
        URI uri = URI.create(base);
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), IdleSubscribers.class.getName(),
                uri.getHost(), String.valueOf(uri.getPort()), String.valueOf(IDLE))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long start = System.nanoTime();
        String ready;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            ready = out.readLine();
            double seconds = (System.nanoTime() - start) / 1e9;
            await().atMost(WAIT).until(() -> tail.subscriptions() >= IDLE);
            long after = usedHeapAfterGc();
            report.add(String.format("idle subscribers held: %s (client says '%s') opened in %.1f s; heap %+.1f MB,"
                            + " %.1f KB per subscriber", tail.subscriptions(), ready, seconds, (after - before) / 1e6,
                    (after - before) / 1024.0 / IDLE));
            assertThat(ready).isEqualTo("READY " + IDLE + " 0");
        } finally {
            client.getOutputStream().close();
            client.waitFor();
        }
        await().atMost(WAIT).until(() -> tail.subscriptions() == 0);
    }

    /** One stream, {@code FANOUT} subscribers from its start. */
    private void fanOut(List<String> report) throws Exception {
        JsonNode created = create("mock/lorem", 200, "50");
        String url = base + "v1/streams/" + created.get("id").asText() + "/events";
        long start = System.nanoTime();
        List<Integer> counts = readAll(url, FANOUT);
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = counts.stream().mapToLong(Integer::longValue).sum();
        assertThat(counts).allMatch(c -> c.equals(counts.get(0)));
        report.add(String.format("fan-out: 1 stream (200 tokens at 50/s) to %d subscribers: all %d events each,"
                + " %.1f s, %.0f events/s delivered", FANOUT, counts.get(0), seconds, events / seconds));
    }

    /** {@code ACTIVE} subscribers spread over 100 streams producing at the same time. */
    private void activeSubscribers(List<String> report) throws Exception {
        int streams = 100;
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            urls.add(base + "v1/streams/" + create("mock/lorem", 100, "20").get("id").asText() + "/events");
        }
        long start = System.nanoTime();
        List<Integer> counts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> all = new ArrayList<>();
            for (int i = 0; i < ACTIVE; i++) {
                String url = urls.get(i % streams);
                all.add(pool.submit(() -> countEvents(url, null)));
            }
            for (Future<Integer> f : all) {
                counts.add(f.get());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = counts.stream().mapToLong(Integer::longValue).sum();
        assertThat(counts).allMatch(c -> c >= 100);
        report.add(String.format("active subscribers: %d over %d streams (100 tokens at 20/s each): %.1f s,"
                + " %d events, %.0f events/s delivered", ACTIVE, streams, seconds, events, events / seconds));
    }

    /** A long completed stream read from its first chunk: catch-up speed. Returns its events URL. */
    private String replay(List<String> report) throws Exception {
        JsonNode created = create("mock/lorem", REPLAY_TOKENS, "0");
        String id = created.get("id").asText();
        await().atMost(WAIT).until(() -> status(id).equals("COMPLETED"));
        String url = base + "v1/streams/" + id + "/events";
        long start = System.nanoTime();
        int events = countEvents(url, null);
        double seconds = (System.nanoTime() - start) / 1e9;
        report.add(String.format("replay of a completed %d-token stream from its start: %d events in %.2f s,"
                + " %.0f events/s", REPLAY_TOKENS, events, seconds, events / seconds));
        return url;
    }

    /** Reconnects at random event ids of a completed stream: time to the first replayed event. */
    private void resume(String url, List<String> report) throws Exception {
        List<String> ids = eventIds(url);
        Random random = new Random(42);
        long[] nanos = new long[RESUMES];
        for (int i = 0; i < RESUMES; i++) {
            String after = ids.get(random.nextInt(ids.size() - 1));
            long start = System.nanoTime();
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Last-Event-ID", after).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("id: ")) {
                        nanos[i] = System.nanoTime() - start;
                        break;
                    }
                }
            }
        }
        Arrays.sort(nanos);
        report.add(String.format("resume (reconnect with Last-Event-ID to first replayed event), %d tries:"
                        + " p50 %.1f ms, p99 %.1f ms, max %.1f ms", RESUMES, nanos[RESUMES / 2] / 1e6,
                nanos[(int) (RESUMES * 0.99)] / 1e6, nanos[RESUMES - 1] / 1e6));
    }

    private List<Integer> readAll(String url, int subscribers) throws Exception {
        List<Integer> counts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> all = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                all.add(pool.submit(() -> countEvents(url, null)));
            }
            for (Future<Integer> f : all) {
                counts.add(f.get());
            }
        }
        return counts;
    }

    /** Events with an id up to the terminal. */
    private static int countEvents(String url, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        int events = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("id: ")) {
                    events++;
                } else if (line.equals("event: done") || line.equals("event: error")) {
                    break;
                }
            }
        }
        return events;
    }

    private static List<String> eventIds(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(l -> l.startsWith("id: ")).map(l -> l.substring(4)).toList();
    }

    private JsonNode create(String model, int tokens, String tps) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "v1/streams"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","messages":[{"role":"user","content":"bench"}],"max_tokens":%d,
                         "metadata":{"mock.tps":"%s","mock.ttft-ms":"0"}}""".formatted(model, tokens, tps))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body());
    }

    private String status(String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "v1/streams/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("status").asText();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200); // let the collector finish before reading the heap (measurement, not a wait for a result)
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
