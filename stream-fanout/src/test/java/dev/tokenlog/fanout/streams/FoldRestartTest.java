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
import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.fanout.fold.AnswerFold;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guarantee 2 across a restart of the Kafka Streams app: requests in flight when the app stops get
 * exactly one FinalAnswer with their full text after it comes back, whether it keeps its state
 * directory or restores from the changelog into a fresh one (answers long enough that part of their
 * text is in the fold's deltas store when it stops); and each throughput window is written once. Real broker, real registry, the app's own settings (exactly_once_v2).
 */
class FoldRestartTest {
    private static final int REQUESTS = 40;
    private static final int WORDS = 30;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "keep state dir: {0}")
    @ValueSource(booleans = {true, false})
    void requestsInFlightAcrossARestartGetExactlyOneFullAnswer(boolean keepStateDir) throws Exception {
        Scenario scenario = Scenario.start(Fault.PROCESS,
                keepStateDir ? "fold restarted mid-stream, state kept" : "fold restarted mid-stream, state restored from the changelog",
                REQUESTS + " requests of " + WORDS + " words; the Kafka Streams fold is closed with half of each answer folded, "
                        + (keepStateDir ? "restarted on the same state directory" : "restarted on an empty state directory"),
                "exactly one COMPLETED answer per request with the full text and no gap; each throughput window written once");
        try (StreamsHarness harness = new StreamsHarness("restart")) {
            List<Script> scripts = new ArrayList<>();
            Instant now = Instant.now();
            for (int r = 0; r < REQUESTS; r++) {
                scripts.add(new Script(RequestIds.newId(), now));
            }
            Path firstDir = Files.createDirectory(tmp.resolve("first"));
            FoldMetrics first = new FoldMetrics();
            KafkaStreams before = harness.start(firstDir, first, Map.of());
            produce(harness, scripts, 0, WORDS / 2);
            await().atMost(WAIT).until(() -> spilledDeltas(before) > 0);
            // A clean stop leaves the group (the app's main.consumer.internal.leave.group.on.close), so
            // the restarted instance gets the tasks at once. A killed fold is ProcessFaultsIT's.
            assertThat(before.close(Duration.ofSeconds(30))).as("closed in time").isTrue();
            assertThat(first.answersEmitted()).as("no terminal was sent yet").isZero();

            produce(harness, scripts, WORDS / 2, 3 * WORDS / 4);
            Path secondDir = keepStateDir ? firstDir : Files.createDirectory(tmp.resolve("second"));
            FoldMetrics second = new FoldMetrics();
            long restartedAt = System.nanoTime();
            harness.start(secondDir, second, Map.of());
            produce(harness, scripts, 3 * WORDS / 4, WORDS);
            scripts.forEach(s -> s.end().forEach(harness::sendAsync));
            harness.flush();

            // Emitted is not yet readable: an answer is visible once its transaction commits.
            await().atMost(WAIT).until(() -> second.answersEmitted() >= REQUESTS && harness.caughtUp()
                    && harness.answers().stream().map(FinalAnswer::getRequestId).distinct().count() >= REQUESTS);
            Duration toAnswers = Duration.ofNanos(System.nanoTime() - restartedAt);
            assertThat(toAnswers).as("answers came without waiting out the stopped member's 45 s session")
                    .isLessThan(Duration.ofSeconds(40));
            scenario.note("all answers " + toAnswers.toMillis() + " ms after the restart");
            Map<String, List<FinalAnswer>> byId = harness.answers().stream()
                    .collect(Collectors.groupingBy(FinalAnswer::getRequestId));
            scenario.sent(REQUESTS).answered(byId.size()).checked(scripts.stream().mapToLong(Script::sent).sum())
                    .duplicates(byId.values().stream().mapToLong(a -> a.size() - 1).sum())
                    .gaps(byId.values().stream().flatMap(List::stream).mapToLong(FinalAnswer::getGaps).sum());
            assertThat(byId).hasSize(REQUESTS);
            for (Script s : scripts) {
                assertThat(byId.get(s.id)).as("answers of %s", s.id).hasSize(1);
                FinalAnswer answer = byId.get(s.id).get(0);
                assertThat(answer.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
                assertThat(answer.getText()).isEqualTo(s.fullText());
                assertThat(answer.getGaps()).isZero();
            }
            assertWindowsWrittenOnce(harness, now);
        }
        scenario.passed();
    }

    /** Entries in the fold's deltas store (answers past the inline limit); 0 while it cannot be queried. */
    private static long spilledDeltas(KafkaStreams streams) {
        try (var all = streams.store(StoreQueryParameters.fromNameAndType(AnswerFold.DELTAS_STORE,
                QueryableStoreTypes.<String, byte[]>keyValueStore())).all()) {
            long n = 0;
            for (; all.hasNext(); all.next()) {
                n++;
            }
            return n;
        } catch (InvalidStateStoreException notYet) {
            return 0;
        }
    }

    /** Moves stream time past the windows (a Started far ahead, repeated while waiting) and checks llm.metrics. */
    private static void assertWindowsWrittenOnce(StreamsHarness harness, Instant now) {
        AtomicReference<List<ThroughputWindow>> windows = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            harness.send(new ChunkRecord(RequestIds.newId(), "tick", 0L, now.plus(Duration.ofMinutes(5)),
                    new Started("mock", "restart", 0)));
            windows.set(harness.windows());
            return windows.get().stream().mapToLong(ThroughputWindow::getRequestsCompleted).sum() >= REQUESTS;
        });
        Set<Instant> starts = new HashSet<>();
        windows.get().forEach(w -> assertThat(starts.add(w.getWindowStart())).as("window %s once", w.getWindowStart()).isTrue());
        assertThat(windows.get().stream().mapToLong(ThroughputWindow::getRequestsStarted).sum()).isEqualTo(REQUESTS);
        assertThat(windows.get().stream().mapToLong(ThroughputWindow::getRequestsCompleted).sum()).isEqualTo(REQUESTS);
        assertThat(windows.get().stream().mapToLong(ThroughputWindow::getOutputTokens).sum()).isEqualTo((long) REQUESTS * WORDS);
        assertThat(windows.get().stream().mapToLong(ThroughputWindow::getTtftSamples).sum()).isEqualTo(REQUESTS);
    }

    /** Sends words [from, to) of every script, interleaved across requests as concurrent workers would. */
    private static void produce(StreamsHarness harness, List<Script> scripts, int from, int to) {
        for (int w = from; w < to; w++) {
            for (Script s : scripts) {
                if (w == 0) {
                    harness.sendAsync(s.chunk(new Started("mock", "restart", 0)));
                }
                harness.sendAsync(s.chunk(new TextDelta(s.word(w))));
            }
        }
        harness.flush();
    }

    /** One request's single attempt. */
    private static final class Script {
        final String id;
        private final Instant startedAt;
        private long seq;
        private final Map<Integer, String> words = new HashMap<>();

        Script(String id, Instant startedAt) {
            this.id = id;
            this.startedAt = startedAt;
        }

        /** 200 characters: an answer passes the fold's inline limit before the restart and spills to its deltas store. */
        String word(int i) {
            return words.computeIfAbsent(i, k -> ("w" + k + "-" + id.substring(24, 28) + "-").repeat(40).substring(0, 199) + " ");
        }

        String fullText() {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < WORDS; w++) {
                sb.append(word(w));
            }
            return sb.toString();
        }

        /** Chunks produced so far. */
        long sent() {
            return seq;
        }

        ChunkRecord chunk(Object event) {
            long s = seq++;
            return new ChunkRecord(id, "a1", s, startedAt.plusMillis(s), event);
        }

        /** The attempt's last Usage and its Completed. */
        List<ChunkRecord> end() {
            return List.of(chunk(new Usage(5L, (long) WORDS, 0L, 0L)), chunk(new Completed(FinishReason.STOP, "stop")));
        }
    }
}
