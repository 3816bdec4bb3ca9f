package dev.tokenlog.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.fanout.GatewayApi;
import dev.tokenlog.fanout.SseClient;
import dev.tokenlog.fanout.WorkerJvm;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A thousand SSE reconnects, each after a random event id of its stream, some while the stream still
 * runs and some after it completed: every resume must get exactly the events after its id (no
 * duplicate, no gap, in order), and what the client had before the cut plus what the resume brought
 * must be the final answer's text.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class ResumeStormTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int RESUMES = 1_000;
    /** Resumes in flight at once: enough to be quick, few enough for a loaded 2-core machine. */
    private static final int CONCURRENCY = 64;
    @RegisterExtension
    static final WorkerJvm WORKER = new WorkerJvm();

    @TestHTTPResource("/")
    String base;

    /** One stream: its id and the events a full reader received, in order, as they arrived. */
    private record Stream(String id, List<SseClient.Event> events, Future<SseClient.Result> reader) {}

    /** One resume: after the event at index {@code cut} of its stream, while the stream still ran or not. */
    private record Resume(Stream stream, int cut, boolean whileRunning, SseClient.Result result) {}

    @Test
    void aThousandResumesAtRandomEventIdsGetExactlyTheRemainder() throws Exception {
        Scenario s = Scenario.start(Fault.CLIENT, "1,000 reconnects at random event ids",
                "1,000 SSE resumes (Last-Event-ID) after a random event of 4 lorem streams, running and completed",
                "each resume is exactly the events after its id, in order; prefix + resume = final answer text");
        GatewayApi api = new GatewayApi(base);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Stream> streams = new ArrayList<>();
            for (int i = 0; i < 2; i++) { // completed before the storm: resumes replay history only
                streams.add(open(api, pool, 200 + random.nextInt(200), "0"));
            }
            for (Stream done : streams) {
                done.reader().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            for (int i = 0; i < 2; i++) { // running during the storm: resumes catch up, then follow the tail
                streams.add(open(api, pool, 300 + random.nextInt(100), "40"));
            }
            s.sent(streams.size());

            List<Resume> resumes = storm(api, pool, streams, random);

            Map<String, String> answers = new HashMap<>();
            for (Stream stream : streams) {
                List<SseClient.Event> reference = stream.reader().get(WAIT.toSeconds(), TimeUnit.SECONDS).events();
                String text = api.awaitStatus(stream.id(), "COMPLETED", WAIT).get("text").asText();
                answers.put(stream.id(), text);
                assertThat(textOf(reference)).as("full read of %s", stream.id()).isEqualTo(text);
                assertThat(SseClient.read(api.url(eventsPath(stream.id())), null, WAIT).events())
                        .as("a replay after the end equals what the live reader got").isEqualTo(reference);
                s.answered(1);
            }
            for (Resume resume : resumes) {
                check(s, resume, answers.get(resume.stream().id()), seed);
            }
            long whileRunning = resumes.stream().filter(Resume::whileRunning).count();
            assertThat(whileRunning).as("some resumes started while their stream still ran").isPositive();
            assertThat(whileRunning).as("some resumes started after their stream had completed").isLessThan(RESUMES);
            s.note(whileRunning + " of " + resumes.size() + " resumes started while their stream was still running;"
                    + " random seed " + seed);
        }
        assertThat(s.duplicateCount()).isZero();
        assertThat(s.gapCount()).isZero();
        api.awaitReady(WAIT);
        s.passed();
    }

    /** Creates a lorem stream and starts a reader that follows it from its first event. */
    private static Stream open(GatewayApi api, ExecutorService pool, int tokens, String tps) throws Exception {
        String id = api.createMock("mock/lorem", "resume storm", tokens, tps).get("id").asText();
        List<SseClient.Event> events = new CopyOnWriteArrayList<>();
        Future<SseClient.Result> reader = pool.submit(() -> SseClient.read(api.url(eventsPath(id)), null, WAIT,
                events::add));
        return new Stream(id, events, reader);
    }

    /** Starts {@link #RESUMES} resumes, round-robin over the streams, and waits for all of them. */
    private static List<Resume> storm(GatewayApi api, ExecutorService pool, List<Stream> streams, Random random)
            throws Exception {
        Semaphore inFlight = new Semaphore(CONCURRENCY);
        List<Future<Resume>> futures = new ArrayList<>();
        for (int i = 0; i < RESUMES; i++) {
            Stream stream = streams.get(i % streams.size());
            long pick = random.nextLong();
            inFlight.acquire();
            futures.add(pool.submit(() -> {
                try {
                    return resume(api, stream, pick);
                } finally {
                    inFlight.release();
                }
            }));
        }
        List<Resume> resumes = new ArrayList<>();
        for (Future<Resume> f : futures) {
            resumes.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        return resumes;
    }

    /**
     * Resumes after a random event the stream's reader has seen so far, never its terminal (nothing
     * follows it).
     */
    private static Resume resume(GatewayApi api, Stream stream, long pick) throws Exception {
        await().atMost(WAIT).until(() -> stream.events().size() >= 2);
        List<SseClient.Event> seen = List.copyOf(stream.events());
        boolean ended = isTerminal(seen.get(seen.size() - 1));
        int candidates = ended ? seen.size() - 1 : seen.size();
        int cut = (int) Math.floorMod(pick, (long) candidates);
        SseClient.Result result = SseClient.read(api.url(eventsPath(stream.id())), seen.get(cut).id(), WAIT);
        return new Resume(stream, cut, !ended, result);
    }

    private static void check(Scenario s, Resume resume, String answer, long seed) throws Exception {
        List<SseClient.Event> reference = resume.stream().reader().get().events();
        List<SseClient.Event> expected = reference.subList(resume.cut() + 1, reference.size());
        List<SseClient.Event> received = resume.result().events();
        s.audit(expected.stream().map(SseClient.Event::id).toList(), received.stream().map(SseClient.Event::id).toList());
        String why = "resume of %s after event %d (%s), seed %d".formatted(resume.stream().id(), resume.cut(),
                reference.get(resume.cut()).id(), seed);
        assertThat(resume.result().status()).as(why).isEqualTo(200);
        assertThat(received).as(why).isEqualTo(expected);
        assertThat(textOf(reference.subList(0, resume.cut() + 1)) + textOf(received)).as(why)
                .isEqualTo(answer);
    }

    private static String textOf(List<SseClient.Event> events) {
        return new SseClient.Result(200, "", "", events, "").text();
    }

    private static boolean isTerminal(SseClient.Event e) {
        return List.of("done", "error", "cancelled").contains(e.event());
    }

    private static String eventsPath(String id) {
        return "/v1/streams/" + id + "/events";
    }
}
