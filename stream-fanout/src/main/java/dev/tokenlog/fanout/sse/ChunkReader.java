package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a stream's history on behalf of one subscriber: its chunks in {@code [from, until)} of its
 * partition, where {@code until} is where the {@link LiveTail} took over for this subscriber (the
 * caller bounds the range: it starts no earlier than the stream's first chunk and, for an ended
 * stream, ends where its records can last be). A consumer is borrowed from {@link HistoryConsumers}
 * only while the log is read, a batch at a time, and given back before the batch is written to the
 * subscriber, so a slow subscriber holds no consumer; a subscriber that starts at the tail never
 * needs one.
 */
final class ChunkReader implements AutoCloseable {
    /** Records per batch of {@link #deliver}: what one poll of a history consumer returns at most ({@code max.poll.records}). */
    static final int BATCH = 500;

    /**
     * A chunk of a stream with its position (its SSE event id), and for a live chunk that several
     * subscribers get, the frames they share ({@code null} otherwise).
     */
    record Positioned(EventId position, ChunkRecord chunk, SharedFrames shared) {
        /** A chunk for one subscriber. */
        Positioned(EventId position, ChunkRecord chunk) {
            this(position, chunk, null);
        }
    }

    private final HistoryConsumers pool;
    /** Whose share of the pool the reads take ({@link HistoryConsumers#borrow}). */
    private final String tenant;
    private final Deserializer<ChunkRecord> deserializer;
    private final String streamId;
    private final TopicPartition partition;
    private final long until;
    private long position;
    private Consumer<String, byte[]> consumer;

    /** Borrows a consumer at once, so that a busy pool is known before the response starts (503). */
    ChunkReader(HistoryConsumers pool, String tenant, Deserializer<ChunkRecord> deserializer, TopicPartition partition,
                String streamId, long from, long until) throws InterruptedException {
        this.pool = pool;
        this.tenant = tenant;
        this.deserializer = deserializer;
        this.streamId = streamId;
        this.partition = partition;
        this.position = from;
        this.until = until;
        borrow();
    }

    /**
     * Hands each chunk of the stream in the range to {@code sink} in order, until the range is read
     * or {@code sink} returns false (the stream ended), with {@code afterBatch} after each batch.
     *
     * @return false if {@code sink} stopped the reading
     */
    boolean read(Predicate<Positioned> sink, Runnable afterBatch) throws InterruptedException {
        while (position < until) {
            List<ConsumerRecord<String, byte[]>> batch = nextBatch();
            close(); // before the writes: they wait for the subscriber
            if (!deliver(batch, deserializer, sink, () -> {})) {
                return false;
            }
            afterBatch.run();
        }
        return true;
    }

    /**
     * The stream's records in the next poll from {@link #position} that holds any (a poll returns at
     * most {@code max.poll.records}), or none when the range ends first: so a read stops within a poll
     * of the stream's terminal.
     */
    private List<ConsumerRecord<String, byte[]>> nextBatch() throws InterruptedException {
        if (consumer == null) {
            borrow();
        }
        List<ConsumerRecord<String, byte[]>> own = new ArrayList<>();
        while (position < until && own.isEmpty()) {
            List<ConsumerRecord<String, byte[]>> records = consumer.poll(Duration.ofMillis(200)).records(partition);
            pool.read(records.size());
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.offset() >= until) {
                    position = until;
                    return own;
                }
                if (streamId.equals(record.key())) {
                    own.add(record);
                }
            }
            position = consumer.position(partition);
        }
        return own;
    }

    private void borrow() throws InterruptedException {
        Consumer<String, byte[]> borrowed = pool.borrow(tenant);
        try {
            borrowed.assign(List.of(partition));
            borrowed.seek(partition, position);
        } catch (RuntimeException e) {
            pool.release(tenant, borrowed);
            throw e;
        }
        consumer = borrowed;
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

    /** Gives the borrowed consumer back, if one is held; again is a no-op. */
    @Override
    public void close() {
        if (consumer != null) {
            pool.release(tenant, consumer);
            consumer = null;
        }
    }
}
