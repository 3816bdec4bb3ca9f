package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a stream's history on behalf of one subscriber: its chunks in {@code [from, until)} of its
 * partition, where {@code until} is where the {@link LiveTail} took over for this subscriber. The
 * consumer is borrowed from {@link HistoryConsumers} only while history is read; a subscriber that
 * starts at the tail never needs one.
 */
final class ChunkReader implements AutoCloseable {
    /** Records per batch of {@link #deliver}: what one poll of a history consumer returns at most ({@code max.poll.records}). */
    static final int BATCH = 500;

    /** A chunk of a stream with its position (its SSE event id). */
    record Positioned(EventId position, ChunkRecord chunk) {}

    private final Consumer<String, byte[]> consumer;
    private final HistoryConsumers pool;
    private final Deserializer<ChunkRecord> deserializer;
    private final String streamId;
    private final TopicPartition partition;

    ChunkReader(HistoryConsumers pool, Deserializer<ChunkRecord> deserializer, TopicPartition partition,
                String streamId) throws InterruptedException {
        this.pool = pool;
        this.consumer = pool.borrow();
        this.deserializer = deserializer;
        this.streamId = streamId;
        this.partition = partition;
        consumer.assign(List.of(partition));
    }

    /**
     * Hands each chunk of the stream in {@code [from, until)} to {@code sink} in order, until the
     * range is read or {@code sink} returns false (the stream ended).
     *
     * @return false if {@code sink} stopped the reading
     */
    boolean read(long from, long until, Predicate<Positioned> sink, Runnable afterBatch) {
        consumer.seek(partition, from);
        while (consumer.position(partition) < until) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200)).records(partition)) {
                if (record.offset() >= until) {
                    return true;
                }
                if (streamId.equals(record.key()) && !offer(record, deserializer, sink)) {
                    return false;
                }
            }
            afterBatch.run();
        }
        return true;
    }

    /**
     * Hands records of one stream that are already at hand (the live tail's recent window) to
     * {@code sink} as {@link #read} does, with {@code afterBatch} after each {@link #BATCH} of them.
     *
     * @return false if {@code sink} stopped the delivery
     */
    static boolean deliver(List<ConsumerRecord<String, byte[]>> records, Deserializer<ChunkRecord> deserializer,
                           Predicate<Positioned> sink, Runnable afterBatch) {
        for (int i = 0; i < records.size(); i++) {
            if (!offer(records.get(i), deserializer, sink)) {
                return false;
            }
            if (i % BATCH == BATCH - 1) {
                afterBatch.run();
            }
        }
        return true;
    }

    /** Decodes a record and hands it to {@code sink}; an undecodable one is skipped (true). */
    private static boolean offer(ConsumerRecord<String, byte[]> record, Deserializer<ChunkRecord> deserializer,
                                 Predicate<Positioned> sink) {
        ChunkRecord chunk = LiveTail.decode(deserializer, record);
        return chunk == null || sink.test(new Positioned(new EventId(record.partition(), record.offset()), chunk));
    }

    @Override
    public void close() {
        pool.release(consumer);
    }
}
