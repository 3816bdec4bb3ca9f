package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import java.util.function.Consumer;

/**
 * Turns the chunks of one stream into the SSE events of one wire format, for one subscriber: the
 * native events ({@link ChunkEvents}) or OpenAI's {@code chat.completion.chunk}s
 * ({@link OpenAiChunkEvents}). An implementation keeps the attempt rule (ARCHITECTURE.md,
 * guarantee 3) and marks the frame that ends the stream {@linkplain SseFrame#terminal() terminal}.
 */
interface StreamEvents {

    /** Frames for one chunk at {@code position}, in order; nothing is sent after a terminal frame. */
    void map(EventId position, ChunkRecord chunk, Consumer<SseFrame> out);

    /** As {@link #map(EventId, ChunkRecord, Consumer)}, taking the frames it can from those its subscribers share. */
    default void map(ChunkReader.Positioned chunk, Consumer<SseFrame> out) {
        map(chunk.position(), chunk.chunk(), out);
    }

    /** A stream whose chunks retention removed, rebuilt from its final answer, terminal included. */
    void replay(FinalAnswer answer, Consumer<SseFrame> out);
}
