package dev.tokenlog.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.worker.provider.ProviderEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** How {@link AttemptWriter} cuts deltas too long for one Kafka record, and ends an attempt Kafka lost a chunk of. */
class AttemptWriterTest {
    private final List<ChunkRecord> sent = new ArrayList<>();
    /** Seqs the sink refuses, as Kafka refuses a record it cannot take. */
    private final Set<Long> refused = new HashSet<>();
    private final AttemptWriter writer = new AttemptWriter(new ChunkSink() {
        @Override
        public void send(ChunkRecord chunk, Consumer<Exception> lost) {
            if (refused.contains(chunk.getSeq())) {
                lost.accept(new RecordTooLargeException("too large"));
                return;
            }
            sent.add(chunk);
        }

        @Override
        public void sendAndWait(ChunkRecord chunk) {
            sent.add(chunk);
        }
    }, "request", "attempt");

    @Test
    void aDeltaWithinTheLimitIsOneChunk() throws Exception {
        writer.event(new ProviderEvent.Text("x".repeat(AttemptWriter.MAX_DELTA_CHARS)));

        assertThat(sent).singleElement().extracting(c -> ((TextDelta) c.getEvent()).getText().length())
                .isEqualTo(AttemptWriter.MAX_DELTA_CHARS);
    }

    @Test
    void aLongerDeltaBecomesContiguousChunksUnderOneMebibyteWithoutSplittingASurrogatePair() throws Exception {
        // A 4-byte character (two chars) straddles the first cut; the rest are 3-byte characters.
        String text = "€".repeat(AttemptWriter.MAX_DELTA_CHARS - 1) + "😀" + "€".repeat(AttemptWriter.MAX_DELTA_CHARS + 5);

        writer.event(new ProviderEvent.Text(text));

        assertThat(sent).hasSize(3);
        assertThat(sent).extracting(ChunkRecord::getSeq).containsExactly(0L, 1L, 2L);
        List<String> pieces = sent.stream().map(c -> ((TextDelta) c.getEvent()).getText()).toList();
        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(pieces).allSatisfy(p -> {
            assertThat(Character.isHighSurrogate(p.charAt(p.length() - 1))).isFalse();
            assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThan(1024 * 1024);
        });
    }

    @Test
    void longToolArgumentsKeepTheirIndexInEveryPiece() throws Exception {
        String arguments = "{\"data\":\"" + "a".repeat(AttemptWriter.MAX_DELTA_CHARS) + "\"}";

        writer.event(new ProviderEvent.ToolCallArguments(2, arguments));

        assertThat(sent).hasSize(2).allSatisfy(c -> assertThat(((ToolCallDelta) c.getEvent()).getIndex()).isEqualTo(2));
        assertThat(sent.stream().map(c -> ((ToolCallDelta) c.getEvent()).getArgumentsDelta()).collect(Collectors.joining()))
                .isEqualTo(arguments);
    }

    @Test
    void anAttemptWithAChunkKafkaDidNotTakeEndsFailedNotCompleted() throws Exception {
        refused.add(2L);
        writer.start("mock", "echo", 0);
        writer.event(new ProviderEvent.Text("kept "));
        writer.event(new ProviderEvent.Text("lost "));
        writer.event(new ProviderEvent.Text("kept"));

        writer.event(new ProviderEvent.Finished(FinishReason.STOP, "stop"));

        assertThat(sent).extracting(ChunkRecord::getSeq).containsExactly(0L, 1L, 3L, 4L);
        assertThat(sent.get(3).getEvent()).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.getCode()).isEqualTo(AttemptWriter.CHUNK_NOT_WRITTEN);
            // The cause goes to the worker's log; the message a client sees names no exception class.
            assertThat(f.getMessage()).contains("chunk 2 was not written").doesNotContain("RecordTooLargeException");
            assertThat(f.getRetryable()).isTrue();
            assertThat(f.getPartial()).isTrue();
        });
    }
}
