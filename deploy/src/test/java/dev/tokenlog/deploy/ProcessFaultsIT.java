package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The PROCESS faults of the reliability suite, on one stack of real processes ({@link Stack}): a
 * KRaft broker, the Apicurio registry, llm-workers and gateways (each gateway also a member of the
 * Kafka Streams fold), every one a separate JVM that a scenario kills with SIGKILL or restarts.
 * Requests go through the gateway's HTTP API (mock/lorem, whose full text is known), answers are
 * counted on {@code llm.answers} itself and subscribers read SSE, resuming by {@code Last-Event-ID}
 * after their connection drops; what each subscriber kept is audited against the chunk log.
 *
 * <p>The scenarios share the stack (starting it costs about a minute on two cores); each one starts
 * what it needs that an earlier scenario left stopped. Logs of every process stay in
 * {@code deploy/target/process-faults/logs}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessFaultsIT {
    private static final Path ROOT = Path.of(System.getProperty("tokenlog.root", "..")).toAbsolutePath().normalize();
    private static final Map<String, String> FAST_FAILOVER = Map.of("TOKENLOG_WORKER_SESSION_TIMEOUT", "6s");
    private static final Duration RUNNING_WAIT = Duration.ofSeconds(60);
    private static final Duration ANSWERS_WAIT = Duration.ofSeconds(150);
    private static final String[] LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
            + "tempor incididunt ut labore et dolore magna aliqua").split(" ");

    private static Stack stack;
    private static RecordLog records;

    /** A request the test created: its id, stream token and the number of lorem words it asked for. */
    private record Posted(String id, String token, int words) {}

    @BeforeAll
    static void startStack() throws Exception {
        assumeTrue(Files.exists(ROOT.resolve("llm-worker/target/quarkus-app/quarkus-run.jar"))
                        && Files.exists(ROOT.resolve("stream-fanout/target/quarkus-app/quarkus-run.jar")),
                "llm-worker and stream-fanout are not packaged yet");
        Path dir = ROOT.resolve("deploy/target/process-faults");
        deleteRecursively(dir);
        stack = Stack.create(ROOT, dir);
        stack.startKafka();
        stack.startRegistry();
        Stack.App first = stack.startWorker(FAST_FAILOVER);
        Stack.App second = stack.startWorker(FAST_FAILOVER);
        stack.gateway("a").jvm().start();
        first.awaitReady();
        second.awaitReady();
        stack.gateway("a").awaitReady();
        records = new RecordLog(stack.bootstrapServers(), stack.registryUrl());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Whatever an earlier scenario left stopped: the broker, the registry, gateway A, one worker. */
    @BeforeEach
    void healthyStack() throws Exception {
        if (!stack.kafka().alive()) {
            stack.startKafka();
        }
        if (!stack.registry().alive()) {
            stack.startRegistry();
        }
        Stack.App a = stack.gateway("a");
        if (!a.jvm().alive()) {
            a.jvm().start();
        }
        a.awaitReady();
        if (stack.liveWorkers().isEmpty()) {
            stack.startWorker(FAST_FAILOVER).awaitReady();
        }
    }

    @Test
    @Order(1)
    void aKilledWorkersStreamsCompleteOnTheOtherWorkerWithOneAnswerEach() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "kill -9 a worker with 100 streams in flight",
                "two worker JVMs; SIGKILL the busier one once all 100 mock streams are RUNNING",
                "every request COMPLETED with its full text, one FinalAnswer each, the killed ones on a new attempt");
        while (stack.liveWorkers().size() < 2) {
            stack.startWorker(FAST_FAILOVER).awaitReady();
        }
        String a = stack.gateway("a").url();
        List<Posted> streams = post(a, 100, 60, 4);
        s.sent(streams.size());
        awaitRunning(a, streams);

        Stack.App victim = stack.liveWorkers().stream()
                .max(Comparator.comparingInt(ProcessFaultsIT::inFlight)).orElseThrow();
        int killedInFlight = inFlight(victim);
        victim.jvm().kill();
        assertThat(killedInFlight).as("streams running on the killed worker").isPositive();

        Map<String, FinalAnswer> answers = awaitOneCompleteAnswerEach(s, streams);
        long retried = answers.values().stream().filter(x -> x.getAttempts() == 2).count();
        assertThat(retried).as("requests that needed a second attempt (the killed worker had %d)", killedInFlight)
                .isEqualTo(killedInFlight);
        assertThat(answers.values()).allSatisfy(x -> assertThat(x.getAttempts()).isBetween(1, 2));
        s.note(killedInFlight + " streams were running on the killed worker; each ended on a second attempt");
        s.passed();
    }

    @Test
    @Order(2)
    void aBrokerRestartMidStreamLosesAndRepeatsNothing() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "broker restart (SIGTERM) mid-stream",
                "SIGTERM the KRaft broker while 20 streams run, start it again on the same port and data",
                "one COMPLETED answer each with its full text; 20 SSE subscribers connected throughout and 20 that "
                        + "resume by Last-Event-ID after the restart each get every event of the final attempt once, in order");
        restartBrokerMidStream(s, () -> stack.kafka().stop());
    }

    @Test
    @Order(3)
    void aBrokerKilledMidStreamLosesAndRepeatsNothing() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "broker kill -9 and restart mid-stream",
                "SIGKILL the KRaft broker while 20 streams run, start it again on the same port and data",
                "as for the SIGTERM restart: one complete answer each, subscribers without gap or duplicate");
        restartBrokerMidStream(s, () -> stack.kafka().kill());
    }

    /**
     * Half the subscribers stay connected through the restart (the gateway's live tail must survive
     * it), the other half are offline from just before the broker stops until it is back, then resume.
     */
    private static void restartBrokerMidStream(Scenario s, Runnable stopBroker) throws Exception {
        String a = stack.gateway("a").url();
        List<Posted> streams = post(a, 20, 60, 3);
        s.sent(streams.size());
        List<ResumingSubscriber> connected = subscribe(streams, 1, List.of(a));
        List<ResumingSubscriber> offline = subscribe(streams, 1, List.of(a));
        awaitRunning(a, streams);
        awaitEvents(connected, 3);
        awaitEvents(offline, 3);

        offline.forEach(ResumingSubscriber::pause);
        stopBroker.run();
        stack.startKafka();
        offline.forEach(ResumingSubscriber::resume);

        Map<String, FinalAnswer> answers = awaitOneCompleteAnswerEach(s, streams);
        List<ResumingSubscriber> all = new ArrayList<>(connected);
        all.addAll(offline);
        auditSubscribers(s, all, offline, answers);
        long retried = answers.values().stream().filter(x -> x.getAttempts() > 1).count();
        s.note(retried + " of " + answers.size() + " requests ended on a new attempt (the contract allows completion or a new attempt)");
        s.passed();
    }

    @Test
    @Order(4)
    void aKilledAndRestartedFoldAppAnswersOnceAndItsSubscribersResume() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "fold app (gateway) killed and restarted mid-stream",
                "SIGKILL the only gateway (HTTP, SSE and the exactly-once Kafka Streams fold) while 20 streams run, "
                        + "start it again on the same state directory",
                "one COMPLETED answer each; 20 subscribers resume on the restarted gateway without gap or duplicate");
        Stack.App a = stack.gateway("a");
        stopGatewayB();
        List<Posted> streams = post(a.url(), 20, 60, 3);
        s.sent(streams.size());
        List<ResumingSubscriber> subscribers = subscribe(streams, 1, List.of(a.url()));
        awaitRunning(a.url(), streams);
        awaitEvents(subscribers, 3);

        a.jvm().kill();
        a.jvm().start();
        a.awaitReady();

        Map<String, FinalAnswer> answers = awaitOneCompleteAnswerEach(s, streams);
        auditSubscribers(s, subscribers, subscribers, answers);
        s.passed();
    }

    @Test
    @Order(5)
    void subscribersOfAKilledGatewayResumeOnTheOtherWithoutGapOrDuplicate() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "kill -9 one of two gateways with 200 subscribers on it",
                "gateways A and B in one Kafka Streams application; 200 SSE subscribers on B over 20 running streams; "
                        + "SIGKILL B",
                "each subscriber resumes on A with its last event id: no gap, no duplicate; one answer per request");
        String a = stack.gateway("a").url();
        Stack.App b = stack.gateway("b");
        if (!b.jvm().alive()) {
            b.jvm().start();
        }
        b.awaitReady();
        List<Posted> streams = post(a, 20, 60, 3);
        s.sent(streams.size());
        List<ResumingSubscriber> subscribers = subscribe(streams, 10, List.of(b.url(), a));
        awaitRunning(a, streams);
        awaitEvents(subscribers, 3);

        b.jvm().kill();

        Map<String, FinalAnswer> answers = awaitOneCompleteAnswerEach(s, streams);
        auditSubscribers(s, subscribers, subscribers, answers);
        s.passed();
    }

    @Test
    @Order(6)
    void appsStartedWithoutTheRegistryReportWhyAndServeOnceItIsUp() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "schema registry down at start-up of a gateway and a worker",
                "stop the registry, start gateway B and a new worker, then start the registry",
                "both report not ready naming the registry, then become ready; requests through B end in one answer each");
        stopGatewayB();
        stack.registry().stop();
        Stack.App b = stack.gateway("b");
        b.jvm().start();
        Stack.App worker = stack.startWorker(FAST_FAILOVER);
        for (Stack.App app : List.of(b, worker)) {
            app.jvm().awaitUntil("an answer from /q/health/ready", Stack.START, () -> app.readiness().status() != -1);
            JvmProcess.Answer ready = app.readiness();
            assertThat(ready.status()).as("%s readiness without the registry: %s", app.jvm().name(), ready.body())
                    .isEqualTo(503);
            assertThat(ready.body()).as("%s readiness names the registry", app.jvm().name())
                    .contains("schemaRegistry").contains(stack.registryUrl()).contains("unreachable");
        }

        stack.startRegistry();
        b.awaitReady();
        worker.awaitReady();
        List<Posted> streams = post(b.url(), 10, 20, 20);
        s.sent(streams.size());
        for (Posted p : streams) {
            List<SseReader.Event> events = SseReader.readUntilTerminal(GatewayHttp.HTTP,
                    URI.create(b.url() + "/v1/streams/" + p.id() + "/events?token=" + p.token()), ANSWERS_WAIT);
            assertThat(events).extracting(SseReader.Event::event).last().isEqualTo("done");
            s.checked(events.size());
        }
        awaitOneCompleteAnswerEach(s, streams);
        s.passed();
    }

    @Test
    @Order(7)
    void aRegistryOutageMidRunLosesNoAnswer() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "schema registry killed for 10 s mid-run",
                "SIGKILL the registry while 20 streams run, start it again 10 s later",
                "every request ends in exactly one COMPLETED answer with its full text");
        String a = stack.gateway("a").url();
        List<Posted> streams = post(a, 20, 60, 4);
        s.sent(streams.size());
        awaitRunning(a, streams);

        stack.registry().kill();
        Thread.sleep(Duration.ofSeconds(10)); // the injected outage: its length is the fault, not a wait for a condition
        stack.startRegistry();

        awaitOneCompleteAnswerEach(s, streams);
        s.passed();
    }

    // ------------------------------------------------------------------ requests and answers

    /** Creates {@code count} mock/lorem streams of {@code words} words at {@code tps} tokens per second. */
    private static List<Posted> post(String gateway, int count, int words, int tps) throws Exception {
        List<Posted> posted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonNode created = GatewayHttp.post(gateway + "/v1/streams", """
                    {"model":"mock/lorem","messages":[{"role":"user","content":"process faults"}],"max_tokens":%d,
                     "metadata":{"mock.tps":"%d","mock.ttft-ms":"0"}}""".formatted(words, tps));
            posted.add(new Posted(created.get("id").asText(), created.get("token").asText(), words));
        }
        return posted;
    }

    private static void awaitRunning(String gateway, List<Posted> streams) {
        await("all " + streams.size() + " streams RUNNING").atMost(RUNNING_WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> streams.stream().allMatch(p -> "RUNNING".equals(status(gateway, p.id()))));
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

    private static int inFlight(Stack.App worker) {
        try {
            for (JsonNode check : GatewayHttp.JSON.readTree(worker.readiness().body()).path("checks")) {
                if (check.path("name").asText().equals("tokenlog-worker")) {
                    return check.path("data").path("inFlightStreams").asInt(-1);
                }
            }
            return -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Waits until {@code llm.answers} holds an answer for every stream, then checks them: exactly one
     * per request (counted as duplicates and gaps on the scenario), each COMPLETED with the full lorem
     * text and no seq gap.
     */
    private static Map<String, FinalAnswer> awaitOneCompleteAnswerEach(Scenario s, List<Posted> streams) {
        Set<String> ids = streams.stream().map(Posted::id).collect(Collectors.toSet());
        await("an answer on llm.answers for each of " + ids.size() + " requests; logs in " + stack.logs())
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
        return byId;
    }

    /** The mock provider's lorem text of {@code words} words. */
    private static String lorem(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(LOREM[i % LOREM.length]).append(i + 1 < words ? " " : "");
        }
        return text.toString();
    }

    // ------------------------------------------------------------------ subscribers

    private static List<ResumingSubscriber> subscribe(List<Posted> streams, int perStream, List<String> gateways) {
        Instant deadline = Instant.now().plus(ANSWERS_WAIT).plus(RUNNING_WAIT);
        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (Posted p : streams) {
            for (int i = 0; i < perStream; i++) {
                subscribers.add(new ResumingSubscriber(p.id(), p.token(), gateways).start(deadline));
            }
        }
        return subscribers;
    }

    private static void awaitEvents(List<ResumingSubscriber> subscribers, int events) {
        await("every subscriber has " + events + " events").atMost(RUNNING_WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> subscribers.stream().allMatch(x -> x.eventCount() >= events));
    }

    /**
     * Each subscriber must have ended with {@code done} and kept, after its last {@code reset},
     * exactly the events of its stream's final attempt in the chunk log, in order, whose text is the
     * answer's; and those in {@code mustResume} must have resumed at least once (else the fault missed them).
     */
    private static void auditSubscribers(Scenario s, List<ResumingSubscriber> subscribers,
                                         List<ResumingSubscriber> mustResume, Map<String, FinalAnswer> answers)
            throws Exception {
        Instant deadline = Instant.now().plus(ANSWERS_WAIT);
        for (ResumingSubscriber x : subscribers) {
            Duration left = Duration.between(Instant.now(), deadline);
            x.join(left.isNegative() ? Duration.ZERO : left);
        }
        Map<String, List<String>> expected = records.finalAttemptEventIds(answers.keySet());
        List<String> problems = new ArrayList<>();
        for (ResumingSubscriber x : subscribers) {
            List<SseReader.Event> kept = x.finalAttempt();
            List<String> ids = kept.stream().map(SseReader.Event::id).toList();
            List<String> want = expected.getOrDefault(x.streamId(), List.of());
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
        assertThat(problems).as("subscribers with a problem, of %d; logs in %s", subscribers.size(), stack.logs())
                .isEmpty();
        assertThat(s.duplicateCount()).as("duplicate events").isZero();
        assertThat(s.gapCount()).as("missing events").isZero();
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

    private static void stopGatewayB() throws Exception {
        stack.gateway("b").jvm().stop();
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
