package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * mock/lorem streams created through a gateway's HTTP API, and the checks of what became of them
 * after a fault: one COMPLETED answer with the full text per request on {@code llm.answers}, a final
 * attempt with contiguous seqs in {@code llm.chunks}, and subscribers that kept exactly the events
 * of each stream's final attempt. Lorem's text is known
 * in advance ({@link #lorem}), so a lost or repeated word shows.
 */
final class LoremStreams {
    static final Duration RUNNING_WAIT = Duration.ofSeconds(60);
    static final Duration ANSWERS_WAIT = Duration.ofSeconds(150);
    private static final String[] LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
            + "tempor incididunt ut labore et dolore magna aliqua").split(" ");

    /** A request the test created: its id, stream token and the number of lorem words it asked for. */
    record Posted(String id, String token, int words) {}

    private final RecordLog records;
    private final Path logs;

    /** @param logs where the stack's logs are, for failure messages */
    LoremStreams(RecordLog records, Path logs) {
        this.records = records;
        this.logs = logs;
    }

    /** Creates {@code count} streams of {@code words} words at {@code tps} tokens per second. */
    static List<Posted> post(String gateway, int count, int words, int tps) throws Exception {
        List<Posted> posted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode created = GatewayHttp.post(gateway + "/v1/streams", """
                    {"model":"mock/lorem","messages":[{"role":"user","content":"process faults"}],"max_tokens":%d,
                     "metadata":{"mock.tps":"%d","mock.ttft-ms":"0"}}""".formatted(words, tps));
            posted.add(new Posted(created.get("id").asText(), created.get("token").asText(), words));
        }
        return posted;
    }

    /** Waits until the gateway reports every stream RUNNING (its first chunk folded into the index). */
    static void awaitRunning(String gateway, List<Posted> streams) {
        await("all " + streams.size() + " streams RUNNING").atMost(RUNNING_WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> allRunning(gateway, streams));
    }

    /**
     * Whether every stream reads RUNNING. A status read of a running stream waits until the fold has passed the
     * end of its partition (read-your-writes, the gateway's SettledStatus: a few hundred milliseconds), so the
     * reads of one round go out together rather than one after another.
     */
    private static boolean allRunning(String gateway, List<Posted> streams) throws Exception {
        try (ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> statuses = new ArrayList<>();
            for (Posted p : streams) {
                statuses.add(reads.submit(() -> status(gateway, p.id())));
            }
            for (Future<String> status : statuses) {
                if (!"RUNNING".equals(status.get())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One subscriber per stream and {@code perStream}, reading from the first event, resuming on {@code gateways}. */
    static List<ResumingSubscriber> subscribe(List<Posted> streams, int perStream, List<String> gateways) {
        Instant deadline = Instant.now().plus(ANSWERS_WAIT).plus(RUNNING_WAIT);
        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (Posted p : streams) {
            for (int i = 0; i < perStream; i++) {
                subscribers.add(new ResumingSubscriber(p.id(), p.token(), gateways).start(deadline));
            }
        }
        return subscribers;
    }

    /** Waits until every subscriber has received at least {@code events} events. */
    static void awaitEvents(List<ResumingSubscriber> subscribers, int events) {
        await("every subscriber has " + events + " events").atMost(RUNNING_WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> subscribers.stream().allMatch(x -> x.eventCount() >= events));
    }

    /**
     * Waits until {@code llm.answers} holds an answer for every stream, then checks them: exactly one
     * per request (counted as duplicates and gaps on the scenario), each COMPLETED with the full lorem
     * text and no seq gap. Returns the answers by request id.
     */
    Map<String, FinalAnswer> awaitOneCompleteAnswerEach(Scenario s, List<Posted> streams) {
        Set<String> ids = streams.stream().map(Posted::id).collect(Collectors.toSet());
        await("an answer on llm.answers for each of " + ids.size() + " requests; logs in " + logs)
                .atMost(ANSWERS_WAIT).pollInterval(Duration.ofSeconds(1))
                .until(() -> records.answers(ids).stream().map(FinalAnswer::getRequestId).distinct().count() == ids.size());
        List<FinalAnswer> answers = records.answers(ids);
        Map<String, Long> perRequest = answers.stream()
                .collect(Collectors.groupingBy(FinalAnswer::getRequestId, Collectors.counting()));
        s.answered(answers.size())
                .duplicates(perRequest.values().stream().mapToLong(n -> n - 1).sum())
                .gaps(ids.stream().filter(id -> !perRequest.containsKey(id)).count());
        assertThat(perRequest).as("FinalAnswers per request").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(s.duplicateCount()).isZero();
        assertThat(s.gapCount()).isZero();

        Map<String, FinalAnswer> byId = answers.stream().collect(Collectors.toMap(FinalAnswer::getRequestId, x -> x));
        for (Posted p : streams) {
            FinalAnswer answer = byId.get(p.id());
            assertThat(answer.getStatus()).as("status of %s: %s", p.id(), answer).isEqualTo(AnswerStatus.COMPLETED);
            assertThat(answer.getText()).as("text of %s", p.id()).isEqualTo(lorem(p.words()));
            assertThat(answer.getGaps()).as("seq gaps in %s", p.id()).isZero();
        }
        auditChunkLog(s, streams);
        return byId;
    }

    /**
     * The chunk log itself: each request's final attempt has seqs 0, 1, 2... with none missing or
     * repeated (a producer retry across a broker restart must not write a chunk twice), and as many
     * chunks as lorem needs: Started, one TextDelta per word, Usage, Completed.
     */
    private void auditChunkLog(Scenario s, List<Posted> streams) {
        Map<String, RecordLog.FinalAttempt> attempts =
                records.finalAttempts(streams.stream().map(Posted::id).collect(Collectors.toSet()));
        long dupBefore = s.duplicateCount();
        long gapsBefore = s.gapCount();
        for (Posted p : streams) {
            List<Long> seqs = attempts.get(p.id()).seqs();
            s.audit(LongStream.range(0, p.words() + 3).boxed().toList(), seqs);
            assertThat(seqs).as("seqs of the final attempt of %s in the chunk log", p.id())
                    .isEqualTo(LongStream.range(0, p.words() + 3).boxed().toList());
        }
        assertThat(s.duplicateCount() - dupBefore).as("repeated seqs in the chunk log").isZero();
        assertThat(s.gapCount() - gapsBefore).as("missing seqs in the chunk log").isZero();
    }

    /**
     * Each subscriber must have ended with a terminal event and kept, after its last {@code reset},
     * exactly the events of its stream's final attempt in the chunk log, in order, whose text is the
     * answer's; those in {@code mustResume} must have resumed at least once (else the fault missed them).
     * Every subscriber is audited on the scenario (events checked, duplicates, gaps).
     */
    void auditSubscribers(Scenario s, List<ResumingSubscriber> subscribers, List<ResumingSubscriber> mustResume,
                          Map<String, FinalAnswer> answers) throws Exception {
        Instant deadline = Instant.now().plus(ANSWERS_WAIT);
        for (ResumingSubscriber x : subscribers) {
            Duration left = Duration.between(Instant.now(), deadline);
            x.join(left.isNegative() ? Duration.ZERO : left);
        }
        Map<String, RecordLog.FinalAttempt> expected = records.finalAttempts(answers.keySet());
        List<String> problems = new ArrayList<>();
        for (ResumingSubscriber x : subscribers) {
            List<SseReader.Event> kept = x.finalAttempt();
            List<String> ids = kept.stream().map(SseReader.Event::id).toList();
            List<String> want = expected.get(x.streamId()).eventIds();
            s.audit(want, ids);
            if (x.failure() != null || !x.terminal()) {
                problems.add(x + ": did not end");
            } else if (!ids.equals(want)) {
                problems.add(x + ": kept " + ids + " but the final attempt is " + want);
            } else if (!deltaText(kept).equals(answers.get(x.streamId()).getText())) {
                problems.add(x + ": text differs from the answer: " + deltaText(kept));
            } else if (x.resumes() < 1 && mustResume.contains(x)) {
                problems.add(x + ": never resumed, so the fault did not reach it");
            }
        }
        assertThat(problems).as("subscribers with a problem, of %d; logs in %s", subscribers.size(), logs).isEmpty();
        assertThat(s.duplicateCount()).as("duplicate events").isZero();
        assertThat(s.gapCount()).as("missing events").isZero();
    }

    /** The mock provider's lorem text of {@code words} words. */
    static String lorem(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(LOREM[i % LOREM.length]).append(i + 1 < words ? " " : "");
        }
        return text.toString();
    }

    private static String status(String gateway, String id) {
        JvmProcess.Answer answer = JvmProcess.get(gateway + "/v1/streams/" + id);
        if (answer.status() != 200) {
            return "HTTP " + answer.status();
        }
        try {
            return GatewayHttp.JSON.readTree(answer.body()).path("status").asText();
        } catch (Exception e) {
            return "unreadable: " + answer.body();
        }
    }

    private static String deltaText(List<SseReader.Event> events) throws Exception {
        StringBuilder text = new StringBuilder();
        for (SseReader.Event e : events) {
            if (e.event().equals("delta")) {
                text.append(GatewayHttp.JSON.readTree(e.data()).get("text").asText());
            }
        }
        return text.toString();
    }
}
