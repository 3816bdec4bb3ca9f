package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The chunks one subscriber needs from before the live tail's hand-over offset, made ready before its
 * response starts, so that a gateway with no history consumer free can still answer 503: records copied
 * from the tail's recent window, or a {@link ChunkReader} holding a pooled consumer of the log, or
 * nothing. Used by one thread; {@link #close()} gives back a consumer still held (an ended read holds none).
 */
final class History implements AutoCloseable {
    static final History NONE = new History(List.of(), null);

    private final List<ConsumerRecord<String, byte[]>> recent;
    private final ChunkReader reader;

    private History(List<ConsumerRecord<String, byte[]>> recent, ChunkReader reader) {
        this.recent = recent;
        this.reader = reader;
    }

    /** Records of the stream already at hand (the tail's recent window). */
    static History of(List<ConsumerRecord<String, byte[]>> recent) {
        return new History(recent, null);
    }

    /** The stream's chunks read from the log with {@code reader}. */
    static History fromLog(ChunkReader reader) {
        return new History(null, reader);
    }

    /**
     * Hands each chunk to {@code sink} in order, with {@code afterBatch} after each batch, until they
     * are all sent or {@code sink} returns false (the stream ended).
     *
     * @return false if {@code sink} stopped the sending
     */
    boolean send(Deserializer<ChunkRecord> deserializer, Predicate<ChunkReader.Positioned> sink, Runnable afterBatch)
            throws InterruptedException {
        if (reader != null) {
            return reader.read(sink, afterBatch);
        }
        return recent == null || ChunkReader.deliver(recent, deserializer, sink, afterBatch);
    }

    /** Gives a borrowed consumer back to its pool; again is a no-op. */
    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
