package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.streams.RequestIndex;
import dev.tokenlog.schemas.RequestIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * Reads one stream's chunks from its partition of {@code llm.chunks}, starting where the subscriber
 * asked, without scanning the partition from its beginning:
 * <ul>
 *   <li>after an event id: a seek to the next offset;</li>
 *   <li>{@code from=live}: the partition's end;</li>
 *   <li>otherwise the first chunk: the offset the fold recorded (final answer or in-flight state), or,
 *       for a request the fold has not seen yet, the first offset at or after the request's UUIDv7
 *       time minus the tolerated clock skew ({@code offsetsForTimes}).</li>
 * </ul>
 */
final class ChunkReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChunkReader.class);

    /** A chunk of this stream with its position. */
    record Positioned(EventId position, ChunkRecord chunk) {}

    private final Consumer<String, byte[]> consumer;
    private final Deserializer<ChunkRecord> deserializer;
    private final String streamId;
    private final TopicPartition partition;

    ChunkReader(Consumer<String, byte[]> consumer, Deserializer<ChunkRecord> deserializer, String topic, String streamId) {
        this.consumer = consumer;
        this.deserializer = deserializer;
        this.streamId = streamId;
        int partitions = consumer.partitionsFor(topic).size();
        // The producer's default partitioner for a keyed record: murmur2 of the key bytes.
        this.partition = new TopicPartition(topic,
                Utils.toPositive(Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8))) % partitions);
        consumer.assign(List.of(partition));
    }

    /** Positions the reader; returns the final answer instead when retention removed the chunks. */
    FinalAnswer start(RequestIndex.Lookup lookup, EventId after, boolean live, Duration clockSkew) {
        if (after != null) {
            if (after.partition() != partition.partition()) {
                throw ApiException.badRequest("event id " + after + " does not belong to stream " + streamId);
            }
            consumer.seek(partition, after.offset() + 1);
        } else if (live) {
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
        } else if (lookup.answer() != null) {
            FinalAnswer answer = lookup.answer();
            Long first = answer.getFirstChunkOffset();
            if (first == null || first < consumer.beginningOffsets(List.of(partition)).get(partition)) {
                return answer;
            }
            consumer.seek(partition, first);
        } else if (lookup.state() != null && lookup.state().firstSeenOffset() != null) {
            consumer.seek(partition, lookup.state().firstSeenOffset());
        } else {
            seekByTime(RequestIds.timestampOf(streamId).minus(clockSkew));
        }
        return null;
    }

    private void seekByTime(Instant from) {
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(partition, from.toEpochMilli()));
        OffsetAndTimestamp at = found.get(partition);
        if (at == null) {
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
        } else {
            consumer.seek(partition, at.offset());
        }
    }

    /** This stream's chunks that arrived within {@code timeout}; other streams' records are skipped. */
    List<Positioned> poll(Duration timeout) {
        List<Positioned> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            if (!streamId.equals(record.key())) {
                continue;
            }
            try {
                ChunkRecord chunk = deserializer.deserialize(record.topic(), record.headers(), record.value());
                out.add(new Positioned(new EventId(record.partition(), record.offset()), chunk));
            } catch (RuntimeException e) {
                LOG.warnf("skipping undecodable chunk %s@%d of stream %s: %s",
                        partition, record.offset(), streamId, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
