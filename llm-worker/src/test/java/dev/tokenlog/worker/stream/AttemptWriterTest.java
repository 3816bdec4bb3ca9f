package dev.tokenlog.worker.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.worker.provider.ProviderEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** How {@link AttemptWriter} cuts deltas too long for one Kafka record. */
class AttemptWriterTest {
    private final List<ChunkRecord> sent = new ArrayList<>();
    private final AttemptWriter writer = new AttemptWriter(new ChunkSink() {
        @Override
        public void send(ChunkRecord chunk) {
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
}
