package dev.tokenlog.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.fanout.GatewayApi;
import dev.tokenlog.fanout.SseClient;
import dev.tokenlog.fanout.TestJson;
import dev.tokenlog.fanout.WorkerJvm;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscribers that ask for the wrong thing: event ids that are garbage, negative, too large, past the
 * end of the partition, or belong to another stream; stream ids that name no stream; and subscribers
 * that race the stream index by connecting right after the 202. The gateway answers each with a
 * precise 4xx (or the documented behaviour), never a 500, never another stream's data.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class WrongIdsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RACERS = 20;
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;

    @Test
    void malformedAndForeignEventIdsGetAPrecise4xxAndNeverAnotherStreamsData() throws Exception {
        Scenario s = Scenario.start(Fault.CLIENT, "Malformed and foreign event ids",
                "Last-Event-ID / ?after= garbage, negative, overflowing, past the partition's end, of another stream",
                "400 naming the problem (OpenAI error shape with format=openai); an id of another stream in the same"
                        + " partition resumes only this stream; never a 500; gateway ready");
        GatewayApi api = new GatewayApi(base);
        Streams streams = Streams.create(api, s);
        String ours = streams.ours();
        List<SseClient.Event> full = SseClient.read(api.url(events(ours)), null, WAIT).events();
        s.checked(full.size()); // answered already: Streams.create read every stream it made to its end
        int partition = Integer.parseInt(full.get(0).id().split("-")[0]);
        long beyond = Long.parseLong(full.get(full.size() - 1).id().split("-")[1]) + 1_000_000;

        Map<String, String> rejected = new LinkedHashMap<>();
        rejected.put("not-an-id", "is not of the form <partition>-<offset>");
        rejected.put("-", "is not of the form <partition>-<offset>");
        rejected.put("-1-5", "is not of the form <partition>-<offset>");
        rejected.put(partition + "--5", "has a negative partition or offset");
        rejected.put(partition + "-1e3", "is not of the form <partition>-<offset>");
        rejected.put(partition + "-99999999999999999999", "is not of the form <partition>-<offset>");
        rejected.put("99999999999-0", "is not of the form <partition>-<offset>");
        rejected.put(partition + "-" + Long.MAX_VALUE, "is beyond the end of");
        rejected.put(partition + "-" + beyond, "is beyond the end of");
        rejected.put((partition + 1) + "-0", "does not belong to stream " + ours);
        rejected.put("7-0", "does not belong to stream " + ours);
        rejected.put(streams.otherPartitionEventId(), "does not belong to stream " + ours);
        for (Map.Entry<String, String> bad : rejected.entrySet()) {
            assertRejected(api, ours, bad.getKey(), bad.getValue(), s);
        }

        String foreign = streams.samePartitionEventId(); // of a stream that precedes ours in the partition
        List<SseClient.Event> resumed = SseClient.read(api.url(events(ours)), foreign, WAIT).events();
        assertThat(resumed).as("after %s: a reset (what the client holds is not ours), then all of ours", foreign)
                .extracting(SseClient.Event::event).first().isEqualTo("reset");
        assertThat(resumed.subList(1, resumed.size())).isEqualTo(full);
        s.checked(resumed.size());

        SseClient.Result afterEnd = SseClient.read(api.url(events(ours)), full.get(full.size() - 1).id(), WAIT);
        assertThat(afterEnd.status()).as("resume after the terminal event").isEqualTo(200);
        assertThat(afterEnd.events()).as("nothing follows the terminal event").isEmpty();
        s.checked(1);

        api.awaitReady(WAIT);
        s.passed();
    }

    @Test
    void unknownStreamsAre404AndSubscribersRacingTheIndexGetTheWholeStream() throws Exception {
        Scenario s = Scenario.start(Fault.CLIENT, "Unknown streams and subscribers racing the index",
                "well-formed ids of no stream, a malformed id, and 20 subscribers connecting right after the 202",
                "404 with a clear message (PENDING while the id is younger than the pending grace, then an error event for"
                        + " a subscriber still waiting); every racer gets"
                        + " start..done with the final answer's text");
        GatewayApi api = new GatewayApi(base);
        String old = RequestIds.idAt(Instant.now().minus(Duration.ofMinutes(10)));
        for (String id : List.of(old, "0190f2a0-0000-7000-8000-000000000000", "not-a-stream")) {
            var status = api.get("/v1/streams/" + id);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(404);
            assertThat(TestJson.parse(status.body()).at("/error/message").asText()).isEqualTo("no stream with id '" + id + "'");
            SseClient.Result sse = SseClient.read(api.url(events(id)), null, WAIT);
            assertThat(sse.status()).isEqualTo(404);
            assertThat(TestJson.parse(sse.body()).at("/error/message").asText()).isEqualTo("no stream with id '" + id + "'");
            s.checked(2);
        }
        String fresh = RequestIds.newId();
        assertThat(api.stream(fresh).get("status").asText()).as("a fresh id of no stream yet").isEqualTo("PENDING");

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            // A subscriber of an id that is PENDING when it connects but never becomes a stream: once the
            // pending grace (60 s) has passed, the next heartbeat (15 s) ends it with an error event.
            String ghost = RequestIds.idAt(Instant.now().minus(Duration.ofSeconds(57)));
            Future<SseClient.Result> ghostSubscriber = pool.submit(() -> SseClient.read(api.url(events(ghost)), null, WAIT));
            List<Future<Racer>> racers = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                String prompt = "racer " + i + " reads every word";
                racers.add(pool.submit(() -> {
                    String id = api.createMock("mock/echo", prompt, 64, "0").get("id").asText();
                    return new Racer(id, prompt, SseClient.read(api.url(events(id)), null, WAIT)); // at once, no wait
                }));
            }
            s.sent(RACERS);
            for (Future<Racer> future : racers) {
                Racer r = future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(r.sse().events()).extracting(SseClient.Event::event).first().isEqualTo("start");
                assertThat(r.sse().events()).extracting(SseClient.Event::event).last().isEqualTo("done");
                assertThat(r.sse().text()).isEqualTo(r.prompt())
                        .isEqualTo(api.awaitStatus(r.id(), "COMPLETED", WAIT).get("text").asText());
                s.checked(r.sse().events().size()).answered(1);
            }
            SseClient.Result ghostEvents = ghostSubscriber.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ghostEvents.status()).isEqualTo(200);
            assertThat(ghostEvents.events()).singleElement().satisfies(e -> {
                assertThat(e.event()).isEqualTo("error");
                assertThat(TestJson.parse(e.data()).at("/error/message").asText()).isEqualTo("no stream with id '" + ghost + "'");
            });
            s.checked(1);
        }
        api.awaitReady(WAIT);
        s.passed();
    }

    @Test
    void idsFromTheFutureAre404AtOnceOnEveryRoute() throws Exception {
        Scenario s = Scenario.start(Fault.SECURITY, "Stream ids from the future",
                "valid UUIDv7 ids whose time is 1 min, 1 day and 1,000 years ahead (beyond the clock skew) on GET status,"
                        + " GET events (native and format=openai, with and without Last-Event-ID) and POST cancel",
                "404 'no stream with id' at once on every route (before: PENDING, and a subscription held forever"
                        + " with heartbeats); gateway ready");
        GatewayApi api = new GatewayApi(base);
        Duration atOnce = Duration.ofSeconds(10); // before the fix the events route never ended
        for (Duration ahead : List.of(Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofDays(365_000))) {
            String id = RequestIds.idAt(Instant.now().plus(ahead));
            String notFound = "no stream with id '" + id + "'";
            var status = api.get("/v1/streams/" + id);
            assertThat(status.statusCode()).as("GET status, %s ahead: %s", ahead, status.body()).isEqualTo(404);
            assertThat(TestJson.parse(status.body()).at("/error/message").asText()).isEqualTo(notFound);

            var cancel = api.post("/v1/streams/" + id + "/cancel", "{}");
            assertThat(cancel.statusCode()).as("POST cancel, %s ahead: %s", ahead, cancel.body()).isEqualTo(404);
            assertThat(TestJson.parse(cancel.body()).at("/error/message").asText()).isEqualTo(notFound);

            for (String query : List.of("", "?format=openai", "?after=0-0")) {
                SseClient.Result sse = SseClient.read(api.url(events(id) + query), null, atOnce);
                assertThat(sse.status()).as("GET events%s, %s ahead: %s", query, ahead, sse.body()).isEqualTo(404);
                assertThat(TestJson.parse(sse.body()).at("/error/message").asText()).isEqualTo(notFound);
            }
            s.sent(6).answered(6).checked(6);
        }
        String skewed = RequestIds.idAt(Instant.now().plusMillis(200)); // within the clock skew (1 s in tests)
        assertThat(api.stream(skewed).get("status").asText()).as("an id just ahead, within the skew").isEqualTo("PENDING");
        s.sent(1).answered(1).checked(1);
        api.awaitReady(WAIT);
        s.passed();
    }

    /** A stream created and subscribed to at once: its id, its prompt (what echo streams back) and what it read. */
    private record Racer(String id, String prompt, SseClient.Result sse) {}

    private static void assertRejected(GatewayApi api, String stream, String eventId, String message, Scenario s)
            throws Exception {
        SseClient.Result header = SseClient.read(api.url(events(stream)), eventId, WAIT);
        assertThat(header.status()).as("Last-Event-ID %s: %s", eventId, header.body()).isEqualTo(400);
        assertThat(TestJson.parse(header.body()).at("/error/message").asText()).as(eventId).contains(message);

        String query = events(stream) + "?format=openai&after=" + URLEncoder.encode(eventId, StandardCharsets.UTF_8);
        SseClient.Result openAi = SseClient.read(api.url(query), null, WAIT);
        assertThat(openAi.status()).as("?after=%s: %s", eventId, openAi.body()).isEqualTo(400);
        assertThat(TestJson.parse(openAi.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(TestJson.parse(openAi.body()).at("/error/message").asText()).as(eventId).contains(message);
        s.checked(2);
    }

    private static String events(String id) {
        return "/v1/streams/" + id + "/events";
    }

    /**
     * Completed echo streams, read from their own event ids: ours, the first event of an earlier
     * stream in the same partition of {@code llm.chunks} (so it precedes all of ours), and an event of a
     * stream in another partition.
     */
    private record Streams(String ours, String samePartitionEventId, String otherPartitionEventId) {
        static Streams create(GatewayApi api, Scenario s) throws Exception {
            Map<Integer, String> firstIdByPartition = new LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                String id = api.createMock("mock/echo", "wrong ids " + i, 64, "0").get("id").asText();
                s.sent(1);
                List<SseClient.Event> events = SseClient.read(api.url(events(id)), null, WAIT).events();
                assertThat(events).extracting(SseClient.Event::event).as(id).last().isEqualTo("done");
                s.answered(1).checked(events.size());
                String first = events.get(0).id();
                int partition = Integer.parseInt(first.split("-")[0]);
                String earlier = firstIdByPartition.putIfAbsent(partition, first);
                var other = firstIdByPartition.entrySet().stream().filter(e -> e.getKey() != partition).findFirst();
                if (earlier != null && other.isPresent()) {
                    return new Streams(id, earlier, other.get().getValue());
                }
            }
            throw new AssertionError("30 streams did not cover two partitions twice: " + firstIdByPartition);
        }
    }
}
