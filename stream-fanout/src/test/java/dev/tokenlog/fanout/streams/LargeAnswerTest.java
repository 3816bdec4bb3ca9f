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
import dev.tokenlog.avro.Usage;
import dev.tokenlog.fanout.fold.FoldSettings;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A final answer far larger than Kafka's 1 MiB default record: the worker keeps each chunk under the
 * limit, but the fold's FinalAnswer holds the whole text. It must be written whole (llm.answers allows
 * 16 MiB, the fold's producer sends up to that); refused, it would fail the fold's stream thread on
 * every restart and stop every answer behind it. Real broker, the app's own Kafka Streams settings.
 */
class LargeAnswerTest {
    private static final int PIECES = 12;
    private static final int PIECE_CHARS = 256 * 1024;

    @TempDir
    Path stateDir;

    @Test
    void aThreeMebibyteAnswerIsWrittenWholeAndTheFoldGoesOn() throws Exception {
        Scenario scenario = Scenario.start(Fault.PROVIDER, "a 3 MiB answer (fold)",
                "one request whose " + PIECES + " deltas of 256 Ki chars make a 3 MiB answer, then a small request",
                "both get exactly one COMPLETED answer with their full text; the fold keeps running");
        try (StreamsHarness harness = new StreamsHarness("large-answer")) {
            FoldMetrics metrics = new FoldMetrics();
            KafkaStreams streams = harness.start(stateDir, metrics, Map.of());
            Instant now = Instant.now();
            String large = RequestIds.newId();
            StringBuilder text = new StringBuilder();
            long seq = 0;
            harness.sendAsync(new ChunkRecord(large, "a1", seq++, now, new Started("mock", "large", 0)));
            for (int p = 0; p < PIECES; p++) {
                String piece = String.valueOf((char) ('a' + p)).repeat(PIECE_CHARS);
                text.append(piece);
                harness.send(new ChunkRecord(large, "a1", seq++, now, new TextDelta(piece)));
            }
            harness.sendAsync(new ChunkRecord(large, "a1", seq++, now, new Completed(FinishReason.STOP, "stop")));
            String small = RequestIds.newId();
            harness.sendAsync(new ChunkRecord(small, "a1", 0L, now, new Started("mock", "large", 0)));
            harness.sendAsync(new ChunkRecord(small, "a1", 1L, now, new TextDelta("after it")));
            harness.sendAsync(new ChunkRecord(small, "a1", 2L, now, new Completed(FinishReason.STOP, "stop")));
            harness.flush();

            await().atMost(Duration.ofSeconds(90)).until(() -> metrics.answersEmitted() >= 2 && harness.caughtUp());
            List<FinalAnswer> answers = harness.answers();
            scenario.sent(2).answered(answers.size()).checked(seq + 3)
                    .duplicates(Math.max(0, answers.size() - 2))
                    .gaps(answers.stream().mapToLong(FinalAnswer::getGaps).sum());
            assertThat(answers).extracting(FinalAnswer::getRequestId).containsExactlyInAnyOrder(large, small);
            FinalAnswer whole = answers.stream().filter(a -> a.getRequestId().equals(large)).findFirst().orElseThrow();
            assertThat(whole.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
            assertThat(whole.getText()).hasSize(PIECES * PIECE_CHARS).isEqualTo(text.toString());
            assertThat(whole.getGaps()).isZero();
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
        scenario.passed();
    }

    /**
     * An answer larger than llm.answers takes at all (issue #12): before, its FinalAnswer made the
     * producer throw RecordTooLargeException, the task failed, and the fold stopped on every gateway it
     * moved to. Now the answer is stored truncated at {@code tokenlog.fold.max-answer-bytes} and flagged,
     * with its chunk count and usage whole, and the fold goes on with the next request.
     */
    @Test
    void aTwentyMegabyteAnswerIsStoredTruncatedAndFlaggedAndTheFoldGoesOn() throws Exception {
        int pieces = 80; // 80 x 256 Ki chars = 20 MiB of text, more than llm.answers' 16 MiB records
        Scenario scenario = Scenario.start(Fault.SECURITY, "a 20 MB answer (fold)",
                "one request whose " + pieces + " deltas of 256 Ki chars make a 20 MiB answer (llm.answers takes 16 MiB), "
                        + "then a small request",
                "the large one: one COMPLETED answer holding the first tokenlog.fold.max-answer-bytes of its text, "
                        + "truncated=true, chunk count and usage whole; the small one: its full COMPLETED answer; "
                        + "the fold keeps running (no failed task or thread)");
        try (StreamsHarness harness = new StreamsHarness("huge-answer")) {
            FoldMetrics metrics = new FoldMetrics();
            long skippedBefore = UnwritableRecords.skipped();
            KafkaStreams streams = harness.start(stateDir, metrics, Map.of());
            Instant now = Instant.now();
            String large = RequestIds.newId();
            StringBuilder text = new StringBuilder();
            long seq = 0;
            harness.sendAsync(new ChunkRecord(large, "a1", seq++, now, new Started("mock", "huge", 0)));
            for (int p = 0; p < pieces; p++) {
                String piece = String.valueOf((char) ('a' + p % 26)).repeat(PIECE_CHARS);
                text.append(piece);
                harness.send(new ChunkRecord(large, "a1", seq++, now, new TextDelta(piece)));
            }
            harness.sendAsync(new ChunkRecord(large, "a1", seq++, now, new Usage(7L, 5_000_000L, 0L, 0L)));
            harness.sendAsync(new ChunkRecord(large, "a1", seq++, now, new Completed(FinishReason.STOP, "stop")));
            String small = RequestIds.newId();
            harness.sendAsync(new ChunkRecord(small, "a1", 0L, now, new Started("mock", "small", 0)));
            harness.sendAsync(new ChunkRecord(small, "a1", 1L, now, new TextDelta("after it")));
            harness.sendAsync(new ChunkRecord(small, "a1", 2L, now, new Completed(FinishReason.STOP, "stop")));
            harness.flush();

            await().atMost(Duration.ofSeconds(120))
                    .failFast("the fold stopped", () -> !streams.state().isRunningOrRebalancing())
                    .until(() -> harness.caughtUp() && harness.answers().size() >= 2);
            List<FinalAnswer> answers = harness.answers();
            scenario.sent(2).answered(answers.size()).checked(seq + 3)
                    .duplicates(Math.max(0, answers.size() - 2))
                    .gaps(answers.stream().mapToLong(FinalAnswer::getGaps).sum());
            assertThat(answers).extracting(FinalAnswer::getRequestId).containsExactlyInAnyOrder(large, small);
            FinalAnswer cut = answers.stream().filter(a -> a.getRequestId().equals(large)).findFirst().orElseThrow();
            int kept = (int) FoldSettings.DEFAULT_MAX_ANSWER_BYTES; // ASCII: one byte per char
            assertThat(cut.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
            assertThat(cut.getTruncated()).isTrue();
            assertThat(cut.getText()).hasSize(kept).isEqualTo(text.substring(0, kept));
            assertThat(cut.getChunkCount()).isEqualTo(seq);
            assertThat(cut.getUsage().getOutput()).isEqualTo(5_000_000L);
            FinalAnswer after = answers.stream().filter(a -> a.getRequestId().equals(small)).findFirst().orElseThrow();
            assertThat(after.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
            assertThat(after.getText()).isEqualTo("after it");
            assertThat(after.getTruncated()).isFalse();
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(metrics.answersTruncated()).isEqualTo(1);
            assertThat(metrics.answersTooLarge()).isZero();
            assertThat(UnwritableRecords.skipped()).as("nothing reached the last-resort handler").isEqualTo(skippedBefore);
        }
        scenario.passed();
    }
}
