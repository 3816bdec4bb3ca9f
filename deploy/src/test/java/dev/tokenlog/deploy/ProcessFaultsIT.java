package dev.tokenlog.deploy;

import static dev.tokenlog.deploy.LoremStreams.awaitEvents;
import static dev.tokenlog.deploy.LoremStreams.awaitRunning;
import static dev.tokenlog.deploy.LoremStreams.post;
import static dev.tokenlog.deploy.LoremStreams.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

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
@Timeout(value = 5, unit = TimeUnit.MINUTES) // each scenario, and the stack's start: a hung call fails, never stalls the build
class ProcessFaultsIT {
    private static final Path ROOT = Path.of(System.getProperty("tokenlog.root", "..")).toAbsolutePath().normalize();
    private static final Map<String, String> FAST_FAILOVER = Map.of("TOKENLOG_WORKER_SESSION_TIMEOUT", "6s");

    private static Stack stack;
    private static LoremStreams lorem;

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
        lorem = new LoremStreams(new RecordLog(stack.bootstrapServers(), stack.registryUrl()), stack.logs());
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
        List<LoremStreams.Posted> streams = post(a, 100, 80, 4);
        s.sent(streams.size());
        awaitRunning(a, streams);

        Stack.App victim = stack.liveWorkers().stream()
                .max(Comparator.comparingInt(ProcessFaultsIT::inFlight)).orElseThrow();
        int killedInFlight = inFlight(victim);
        victim.jvm().kill();
        assertThat(killedInFlight).as("streams running on the killed worker").isPositive();

        Map<String, FinalAnswer> answers = lorem.awaitOneCompleteAnswerEach(s, streams);
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
        List<LoremStreams.Posted> streams = post(a, 20, 60, 3);
        s.sent(streams.size());
        List<ResumingSubscriber> connected = subscribe(streams, 1, List.of(a));
        List<ResumingSubscriber> offline = subscribe(streams, 1, List.of(a));
        awaitRunning(a, streams);
        awaitEvents(connected, 3);
        awaitEvents(offline, 3);

        offline.forEach(ResumingSubscriber::pause);
        await("subscribers offline").atMost(LoremStreams.RUNNING_WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> offline.stream().allMatch(ResumingSubscriber::offline));
        stopBroker.run();
        stack.startKafka();
        offline.forEach(ResumingSubscriber::resume);

        Map<String, FinalAnswer> answers = lorem.awaitOneCompleteAnswerEach(s, streams);
        List<ResumingSubscriber> all = new ArrayList<>(connected);
        all.addAll(offline);
        lorem.auditSubscribers(s, all, offline, answers);
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
        List<LoremStreams.Posted> streams = post(a.url(), 20, 60, 3);
        s.sent(streams.size());
        List<ResumingSubscriber> subscribers = subscribe(streams, 1, List.of(a.url()));
        awaitRunning(a.url(), streams);
        awaitEvents(subscribers, 3);

        a.jvm().kill();
        a.jvm().start();
        a.awaitReady();

        Map<String, FinalAnswer> answers = lorem.awaitOneCompleteAnswerEach(s, streams);
        lorem.auditSubscribers(s, subscribers, subscribers, answers);
        s.passed();
    }

    /**
     * Any gateway serves any stream: gateways A and B are one Kafka Streams application, so each folds
     * only some partitions, yet while a stream runs both report it RUNNING (from the global stream
     * index), both replay it from the start with identical events and ids, and both serve the same
     * final answer. Not a fault: the baseline the gateway-kill scenario after it builds on.
     */
    @Test
    @Order(5)
    void bothGatewaysServeAStreamRunningAnywhereIdentically() throws Exception {
        String a = stack.gateway("a").url();
        Stack.App b = stack.gateway("b");
        if (!b.jvm().alive()) {
            b.jvm().start();
        }
        b.awaitReady();
        JsonNode created = GatewayHttp.post(a + "/v1/streams", """
                {"model":"mock/lorem","messages":[{"role":"user","content":"two gateways"}],"max_tokens":200,
                 "metadata":{"mock.tps":"20","mock.ttft-ms":"0"}}""");
        String id = created.get("id").asText();
        String events = created.get("events").asText() + "?token=" + created.get("token").asText();
        for (String gateway : List.of(a, b.url())) {
            await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100)) // the stream runs 10 s
                    .until(() -> status(gateway, id).equals("RUNNING"));
        }

        List<SseReader.Event> fromA = SseReader.readUntilTerminal(GatewayHttp.HTTP, URI.create(a + events), Stack.START);
        List<SseReader.Event> fromB = SseReader.readUntilTerminal(GatewayHttp.HTTP, URI.create(b.url() + events), Stack.START);
        assertThat(fromB).as("the same events with the same ids on both gateways").isEqualTo(fromA);
        assertThat(fromA).extracting(SseReader.Event::event).last().isEqualTo("done");
        JsonNode answerA = GatewayHttp.awaitCompleted(a + "/v1/streams/" + id);
        JsonNode answerB = GatewayHttp.awaitCompleted(b.url() + "/v1/streams/" + id);
        assertThat((Object) answerB).as("B's answer (JSON, field order aside)").isEqualTo(answerA);
        assertThat(answerA.get("text").asText().split(" ")).hasSize(200);
    }

    @Test
    @Order(6)
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
        List<LoremStreams.Posted> streams = post(a, 20, 60, 3);
        s.sent(streams.size());
        List<ResumingSubscriber> subscribers = subscribe(streams, 10, List.of(b.url(), a));
        awaitRunning(a, streams);
        awaitEvents(subscribers, 3);

        b.jvm().kill();

        Map<String, FinalAnswer> answers = lorem.awaitOneCompleteAnswerEach(s, streams);
        lorem.auditSubscribers(s, subscribers, subscribers, answers);
        s.passed();
    }

    @Test
    @Order(7)
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
        List<LoremStreams.Posted> streams = post(b.url(), 10, 20, 20);
        s.sent(streams.size());
        for (LoremStreams.Posted p : streams) {
            List<SseReader.Event> events = SseReader.readUntilTerminal(GatewayHttp.HTTP,
                    URI.create(b.url() + "/v1/streams/" + p.id() + "/events?token=" + p.token()), LoremStreams.ANSWERS_WAIT);
            assertThat(events).extracting(SseReader.Event::event).last().isEqualTo("done");
            s.checked(events.size());
        }
        lorem.awaitOneCompleteAnswerEach(s, streams);
        s.passed();
    }

    @Test
    @Order(8)
    void aRegistryOutageMidRunLosesNoAnswer() throws Exception {
        Scenario s = Scenario.start(Fault.PROCESS, "schema registry killed for 10 s mid-run",
                "SIGKILL the registry while 20 streams run, create 10 more during the outage, start it again 10 s later",
                "every request, also those accepted during the outage, ends in exactly one COMPLETED answer with its full text");
        String a = stack.gateway("a").url();
        List<LoremStreams.Posted> streams = new ArrayList<>(post(a, 20, 60, 4));
        awaitRunning(a, streams);

        Instant killed = Instant.now();
        stack.registry().kill();
        streams.addAll(post(a, 10, 20, 4));
        // The injected outage: its length is the fault, not a wait for a condition.
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), killed.plusSeconds(10)).toMillis()));
        stack.startRegistry();

        s.sent(streams.size());
        lorem.awaitOneCompleteAnswerEach(s, streams);
        s.passed();
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

    private static String status(String gateway, String id) throws Exception {
        JsonNode status = GatewayHttp.get(gateway + "/v1/streams/" + id);
        return status == null ? "unknown" : status.get("status").asText();
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
