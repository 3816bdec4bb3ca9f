package dev.tokenlog.worker.consume;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * Which requests already have a terminal chunk in {@code llm.chunks}, so a request redelivered after
 * a crash (its offset was not committed yet) is not executed again. Only requests read from the
 * backlog of a newly assigned partition are checked. For each chunk partition the index reads the
 * log once, from the oldest such request's timestamp minus the tolerated clock skew, then only what
 * was appended since: never the whole partition. Used by the consumer thread only.
 */
final class TerminalIndex implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TerminalIndex.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<String, byte[]> chunks;
    private final Deserializer<ChunkRecord> deserializer;
    private final String topic;
    private final Duration clockSkew;
    private final Map<Integer, Long> scannedFrom = new HashMap<>();
    private final Map<Integer, Long> scannedTo = new HashMap<>();
    private final Set<String> terminated = new HashSet<>();

    TerminalIndex(Consumer<String, byte[]> chunks, Deserializer<ChunkRecord> deserializer, String topic, Duration clockSkew) {
        this.chunks = chunks;
        this.deserializer = deserializer;
        this.topic = topic;
        this.clockSkew = clockSkew;
    }

    /** Whether {@code requestId}, accepted at {@code requestTimestamp} (ms), already ended in the chunk log. */
    boolean hasTerminal(String requestId, long requestTimestamp) {
        int partitions = chunks.partitionsFor(topic).size();
        int partition = Utils.toPositive(Utils.murmur2(requestId.getBytes(StandardCharsets.UTF_8))) % partitions;
        long from = requestTimestamp - clockSkew.toMillis();
        if (!scannedFrom.containsKey(partition) || from < scannedFrom.get(partition)) {
            scannedFrom.put(partition, from);
            scannedTo.remove(partition); // start again from the earlier point
        }
        scanToEnd(new TopicPartition(topic, partition), from);
        return terminated.contains(requestId);
    }

    private void scanToEnd(TopicPartition tp, long fromTimestamp) {
        chunks.assign(List.of(tp));
        Long position = scannedTo.get(tp.partition());
        if (position == null) {
            OffsetAndTimestamp at = chunks.offsetsForTimes(Map.of(tp, fromTimestamp)).get(tp);
            if (at == null) {
                scannedTo.put(tp.partition(), chunks.endOffsets(List.of(tp)).get(tp));
                return;
            }
            position = at.offset();
        }
        long end = chunks.endOffsets(List.of(tp)).get(tp);
        chunks.seek(tp, position);
        long read = 0;
        while (chunks.position(tp) < end) {
            for (ConsumerRecord<String, byte[]> record : chunks.poll(POLL)) {
                read++;
                if (isTerminal(record)) {
                    terminated.add(record.key());
                }
            }
        }
        scannedTo.put(tp.partition(), chunks.position(tp));
        LOG.debugf("terminal index: read %d chunk records of %s up to offset %d", (Object) read, tp, (Object) end);
    }

    private boolean isTerminal(ConsumerRecord<String, byte[]> record) {
        try {
            Object event = deserializer.deserialize(record.topic(), record.headers(), record.value()).getEvent();
            return event instanceof Completed || event instanceof Failed || event instanceof Cancelled;
        } catch (RuntimeException e) {
            if (SchemaRegistryException.isTransient(e)) {
                throw e; // the chunk may well be a terminal: the caller waits for the registry
            }
            return false; // a poison chunk is not a terminal; the fold reports it
        }
    }

    @Override
    public void close() {
        chunks.close();
    }
}
