package dev.tokenlog.worker.consume;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which request offsets may be committed. Requests of one partition finish out of order, so only
 * the offset below the lowest unfinished one is safe: a crash then redelivers every unfinished
 * request and nothing is lost. Used by the consumer thread only.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeSet<Long>> inFlight = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** A record was taken from the partition and its request is now running. */
    void started(TopicPartition tp, long offset) {
        inFlight.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
        nextOffset.merge(tp, offset + 1, Math::max);
    }

    /** The request at {@code offset} has ended (terminal written or dead-lettered). */
    void finished(TopicPartition tp, long offset) {
        TreeSet<Long> open = inFlight.get(tp);
        if (open != null) {
            open.remove(offset);
        }
    }

    /** Number of requests started and not finished, over all partitions. */
    int inFlight() {
        return inFlight.values().stream().mapToInt(TreeSet::size).sum();
    }

    /** Offsets that advanced since the last call: the lowest unfinished offset, or past the last seen. */
    Map<TopicPartition, OffsetAndMetadata> takeCommittable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        nextOffset.forEach((tp, next) -> {
            TreeSet<Long> open = inFlight.get(tp);
            long safe = open == null || open.isEmpty() ? next : open.first();
            if (!Long.valueOf(safe).equals(committed.get(tp))) {
                committed.put(tp, safe);
                out.put(tp, new OffsetAndMetadata(safe));
            }
        });
        return out;
    }

    /** Forgets a partition that was revoked from this worker. */
    void forget(TopicPartition tp) {
        inFlight.remove(tp);
        nextOffset.remove(tp);
        committed.remove(tp);
    }
}
