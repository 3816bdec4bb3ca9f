package dev.tokenlog.fanout.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Subscribers of one stream that get the same live chunk share the frame made of it (made and encoded
 * once), and each gets exactly the wire text it would get alone.
 */
class SharedFramesTest {
    private static final String ID = "01890a5d-ac96-774b-bcce-b302099a8057";

    @Test
    void nativeSubscribersShareEachChunksFrameAndGetWhatTheyWouldAlone() {
        List<ChunkReader.Positioned> chunks = live(started("a1"), text("a1", "Hello"), text("a1", " world"),
                chunk("a1", new Completed(FinishReason.STOP, "stop")));
        Mapped first = map(new ChunkEvents(false), chunks);
        Mapped second = map(new ChunkEvents(false), chunks);
        List<String> alone = encode(mapAlone(new ChunkEvents(false), chunks));
        assertThat(first.wire()).isEqualTo(alone);
        assertThat(second.wire()).isEqualTo(alone);
        for (int i = 1; i < alone.size(); i++) { // the start (maybe after a reset) is each subscriber's own: once a stream
            assertThat(second.frames().get(i)).as("frame %d made once", i).isSameAs(first.frames().get(i));
        }
    }

    @Test
    void openAiSubscribersShareDeltasAfterTheirRoleChunkAndPerUsageOption() {
        List<ChunkReader.Positioned> chunks = live(started("a1"), text("a1", "Hello"), text("a1", " world"),
                chunk("a1", new Completed(FinishReason.STOP, "stop")));
        for (boolean includeUsage : List.of(false, true)) {
            Mapped first = map(new OpenAiChunkEvents(ID, null, false, includeUsage), chunks);
            Mapped second = map(new OpenAiChunkEvents(ID, null, false, includeUsage), chunks);
            List<String> alone = encode(mapAlone(new OpenAiChunkEvents(ID, null, false, includeUsage), chunks));
            assertThat(first.wire()).as("include_usage %s", includeUsage).isEqualTo(alone);
            assertThat(second.wire()).as("include_usage %s", includeUsage).isEqualTo(alone);
            assertThat(second.frames().get(1)).as("a delta after the role chunk is shared").isSameAs(first.frames().get(1));
        }
        // A subscriber joining at the live tail gets the role on its first delta: its own frame.
        List<ChunkReader.Positioned> tail = chunks.subList(2, 4);
        Mapped joined = map(new OpenAiChunkEvents(ID, "mock/echo", false, false), tail);
        assertThat(joined.frames().getFirst().data()).contains("\"role\":\"assistant\"");
        assertThat(joined.wire()).isEqualTo(encode(mapAlone(new OpenAiChunkEvents(ID, "mock/echo", false, false), tail)));
    }

    private static List<ChunkReader.Positioned> live(ChunkRecord... records) {
        List<ChunkReader.Positioned> chunks = new ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            chunks.add(new ChunkReader.Positioned(new EventId(0, 10 + i), records[i], new SharedFrames()));
        }
        return chunks;
    }

    /** The frames one subscriber got, and their wire text as the live writer makes it (a shared frame's from its chunk). */
    private record Mapped(List<SseFrame> frames, List<String> wire) {}

    private static Mapped map(StreamEvents events, List<ChunkReader.Positioned> chunks) {
        Mapped mapped = new Mapped(new ArrayList<>(), new ArrayList<>());
        for (ChunkReader.Positioned c : chunks) {
            events.map(c, f -> {
                mapped.frames().add(f);
                mapped.wire().add(c.shared().wire(f));
            });
        }
        return mapped;
    }

    private static List<SseFrame> mapAlone(StreamEvents events, List<ChunkReader.Positioned> chunks) {
        List<SseFrame> frames = new ArrayList<>();
        chunks.forEach(c -> events.map(c.position(), c.chunk(), frames::add));
        return frames;
    }

    private static List<String> encode(List<SseFrame> frames) {
        return frames.stream().map(SseFrame::encode).toList();
    }

    private static ChunkRecord started(String attempt) {
        return chunk(attempt, new Started("mock", "echo", 0));
    }

    private static ChunkRecord text(String attempt, String text) {
        return chunk(attempt, new TextDelta(text));
    }

    private static ChunkRecord chunk(String attempt, Object event) {
        return new ChunkRecord(ID, attempt, 0L, Instant.EPOCH, event);
    }
}
