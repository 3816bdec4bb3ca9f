package dev.tokenlog.fanout.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.TcpProxy;
import dev.tokenlog.testsupport.TestRegistry;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the schema registry is unavailable, the fold cannot decode chunks whose schema it has not
 * cached yet. Those chunks are fine and must not be skipped as poison: the fold waits and, once the
 * registry answers, every request gets exactly one full answer. The outage is a real one: the app
 * reaches the real registry through a proxy that resets every connection.
 */
class RegistryOutageFoldTest {
    private static final int REQUESTS = 5;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /**
     * The replaced stream thread gets its tasks back at the rebalance that the failed thread's leaving
     * starts (seconds); the bound still allows one 45 s session in case the leave request is lost.
     */
    private static final Duration RECOVERY = Duration.ofMinutes(2);

    @TempDir
    Path stateDir;

    /** A blip shorter than the serdes' patience: the stream thread waits in place, nothing fails. */
    @Test
    void aShortOutageIsRiddenOutInPlace() throws Exception {
        Scenario scenario = Scenario.start(Fault.PROCESS, "schema registry down mid-run, short (fold)",
                "registry connections reset before the fold has cached a schema, for less than its 5 s patience",
                "no chunk skipped or counted undecodable; one COMPLETED answer per request with its full text once it returns");
        runThroughOutage(scenario, (harness, proxy) -> {
            int before = proxy.refused();
            await().atMost(WAIT).until(() -> proxy.refused() >= before + 3);
        });
    }

    /**
     * An outage longer than the serdes' patience: the stream thread fails, is replaced, and the new one
     * reads again from the last commit.
     */
    @Test
    void aLongOutageReplacesTheStreamThreadAndLosesNothing() throws Exception {
        Scenario scenario = Scenario.start(Fault.PROCESS, "schema registry down mid-run, long (fold)",
                "registry connections reset until the fold's stream thread fails and is replaced",
                "no chunk skipped or counted undecodable; one COMPLETED answer per request with its full text once it returns");
        runThroughOutage(scenario,
                (harness, proxy) -> await().dontCatchUncaughtExceptions().atMost(WAIT)
                        .until(() -> harness.threadFailures.replacedForRegistry() >= 1));
    }

    private interface Outage {
        void last(StreamsHarness harness, TcpProxy proxy) throws Exception;
    }

    private void runThroughOutage(Scenario scenario, Outage outage) throws Exception {
        URI registry = URI.create(TestRegistry.shared().ccompatUrl());
        try (StreamsHarness harness = new StreamsHarness("registry-outage");
             TcpProxy proxy = TcpProxy.to(registry.getHost(), registry.getPort())) {
            Map<String, Object> serdeConfig = new HashMap<>(harness.clients.serdeConfig());
            serdeConfig.put("tokenlog.registry.url", "http://" + registry.getHost() + ":" + proxy.port() + registry.getPath());
            FoldMetrics metrics = new FoldMetrics();
            KafkaStreams streams = harness.start(stateDir, metrics, Map.of(), serdeConfig);
            // The outage starts once the app runs (no rebalance under way) and before it has decoded
            // anything, so no schema is cached yet.
            await().atMost(WAIT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
            proxy.refuse();

            Instant now = Instant.now();
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < REQUESTS; r++) {
                String id = RequestIds.newId();
                ids.add(id);
                harness.sendAsync(new ChunkRecord(id, "a1", 0L, now, new Started("mock", "outage", 0)));
                harness.sendAsync(new ChunkRecord(id, "a1", 1L, now, new TextDelta("kept ")));
                harness.sendAsync(new ChunkRecord(id, "a1", 2L, now, new TextDelta("through " + r)));
                harness.sendAsync(new ChunkRecord(id, "a1", 3L, now, new Completed(FinishReason.STOP, "stop")));
            }
            harness.flush();

            outage.last(harness, proxy);
            assertThat(metrics.answersEmitted()).as("nothing folded while the registry is down").isZero();
            proxy.forward();

            long recovering = System.nanoTime();
            await().dontCatchUncaughtExceptions().atMost(RECOVERY)
                    .until(() -> metrics.answersEmitted() >= REQUESTS && harness.caughtUp());
            System.out.printf("registry outage: answers %.1f s after the registry came back, %d stream thread(s) replaced%n",
                    (System.nanoTime() - recovering) / 1e9, harness.threadFailures.replacedForRegistry());
            Map<String, List<FinalAnswer>> byId = harness.answers().stream()
                    .collect(Collectors.groupingBy(FinalAnswer::getRequestId));
            scenario.sent(REQUESTS).answered(byId.size()).checked(4L * REQUESTS)
                    .duplicates(byId.values().stream().mapToLong(a -> a.size() - 1).sum())
                    .gaps(byId.values().stream().flatMap(List::stream).mapToLong(FinalAnswer::getGaps).sum());
            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            for (int r = 0; r < REQUESTS; r++) {
                List<FinalAnswer> answers = byId.get(ids.get(r));
                assertThat(answers).as("answers of request %d", r).hasSize(1);
                assertThat(answers.get(0).getStatus()).isEqualTo(AnswerStatus.COMPLETED);
                assertThat(answers.get(0).getText()).isEqualTo("kept through " + r);
                assertThat(answers.get(0).getGaps()).isZero();
            }
            assertThat(harness.decodeFailures.count(harness.topics.chunks()))
                    .as("registry failures are not counted as undecodable").isZero();
        }
        scenario.passed();
    }
}
