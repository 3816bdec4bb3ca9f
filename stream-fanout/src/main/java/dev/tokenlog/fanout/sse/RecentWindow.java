package dev.tokenlog.fanout.sse;

import dev.tokenlog.schemas.RequestIds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the {@link LiveTail} remembers of one partition, so that a new subscriber of a young stream
 * needs no read of the log:
 * <ul>
 * <li>the records it dispatched most recently, every one from {@link #coveredFrom()} up to the tail's
 *     position, bounded in bytes: history in that range is copied from here;</li>
 * <li>per stream seen, the offset of its first record, when that is the stream's first chunk (the
 *     stream began after the tail did): a subscriber that arrives before the fold indexed the stream
 *     starts there, or at the tail's position if the tail has not seen the stream yet.</li>
 * </ul>
 * Streams are forgotten {@code remember} after their request's time (once none of their records is
 * in the window), so "not seen" only counts for a request younger than that. Not thread-safe: the
 * tail guards each window with the lock of its partition.
 */
final class RecentWindow {
    /** Heap a kept record costs besides key and value (record object, headers, deque slots). */
    static final int RECORD_OVERHEAD = 200;

    private final long maxBytes;
    private final long rememberMillis;
    private final long tailStartMillis;
    private final ArrayDeque<ConsumerRecord<String, byte[]>> records = new ArrayDeque<>();
    /** By first sight, which is roughly request time: {@link #expire} stops at the first young one. */
    private final LinkedHashMap<String, Track> streams = new LinkedHashMap<>();
    private long bytes;
    private long coveredFrom;

    /** One stream's first offset (-1 when the tail did not see it start) and its records in the window. */
    private static final class Track {
        final long createdMillis;
        final long first;
        final ArrayDeque<ConsumerRecord<String, byte[]>> records = new ArrayDeque<>(4);

        Track(long createdMillis, long first) {
            this.createdMillis = createdMillis;
            this.first = first;
        }
    }

    /**
     * @param position the tail's position in the partition when it started
     * @param tailStartMillis wall-clock time, taken after that position: every record appended later lies at or after it
     * @param maxBytes bound of the window of records
     * @param rememberMillis how long after its request time a stream's start is remembered
     */
    RecentWindow(long position, long tailStartMillis, long maxBytes, long rememberMillis) {
        this.coveredFrom = position;
        this.tailStartMillis = tailStartMillis;
        this.maxBytes = maxBytes;
        this.rememberMillis = rememberMillis;
    }

    /**
     * Adds a record the tail dispatched (records come in offset order). Its stream's first offset
     * counts only if the request is younger than {@code rememberMillis} and began after the tail
     * started, by more than {@code skewMillis} (the clock difference between gateways and workers).
     */
    void add(ConsumerRecord<String, byte[]> record, long nowMillis, long skewMillis) {
        if (record.key() != null) {
            Track track = streams.get(record.key());
            if (track == null) {
                long created = createdMillis(record.key());
                boolean sawStart = created != Long.MIN_VALUE && created >= nowMillis - rememberMillis
                        && created - skewMillis > tailStartMillis;
                track = new Track(created, sawStart ? record.offset() : -1);
                streams.put(record.key(), track);
            }
            track.records.addLast(record);
            records.addLast(record);
            bytes += size(record);
        }
        while (bytes > maxBytes && !records.isEmpty()) {
            ConsumerRecord<String, byte[]> oldest = records.pollFirst();
            bytes -= size(oldest);
            coveredFrom = oldest.offset() + 1;
            Track track = streams.get(oldest.key());
            if (track != null) {
                track.records.pollFirst(); // the stream's oldest record is the window's oldest of that stream
            }
        }
    }

    /**
     * Where stream {@code id} begins, when this window knows: its first offset if the tail saw it
     * start; {@code position} (the tail's position) if the request is young, began after the tail and
     * no record of it came yet; otherwise -1 (the caller looks it up in the log).
     */
    long start(String id, long createdMillis, long nowMillis, long skewMillis, long position) {
        Track track = streams.get(id);
        if (track != null) {
            return track.first;
        }
        boolean young = createdMillis >= nowMillis - rememberMillis;
        return young && createdMillis - skewMillis > tailStartMillis ? position : -1;
    }

    /**
     * The records of stream {@code id} in {@code [from, until)}, or null when the window does not
     * reach back to {@code from} or forward to {@code until} (the caller reads the log).
     */
    List<ConsumerRecord<String, byte[]>> records(String id, long from, long until, long position) {
        if (from < coveredFrom || until > position) {
            return null;
        }
        Track track = streams.get(id);
        if (track == null) {
            return List.of();
        }
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : track.records) {
            if (r.offset() >= until) {
                break;
            }
            if (r.offset() >= from) {
                found.add(r);
            }
        }
        return found;
    }

    /** Forgets streams whose request is older than {@code rememberMillis} and that have no record left here. */
    void expire(long nowMillis) {
        long cutoff = nowMillis - rememberMillis;
        Iterator<Map.Entry<String, Track>> it = streams.entrySet().iterator();
        while (it.hasNext()) {
            Track track = it.next().getValue();
            if (track.createdMillis >= cutoff) {
                return;
            }
            if (track.records.isEmpty()) {
                it.remove();
            }
        }
    }

    /** The first offset from which every record of the partition the tail dispatched is still here. */
    long coveredFrom() {
        return coveredFrom;
    }

    /** Streams remembered (for tests and metrics). */
    int streams() {
        return streams.size();
    }

    /** Bytes of records kept (estimated heap). */
    long bytes() {
        return bytes;
    }

    private static long createdMillis(String key) {
        try {
            return RequestIds.timestampOf(key).toEpochMilli();
        } catch (IllegalArgumentException e) {
            return Long.MIN_VALUE; // not a request id: never a stream anyone can subscribe to
        }
    }

    private static int size(ConsumerRecord<String, byte[]> record) {
        return RECORD_OVERHEAD + 2 * record.key().length() + (record.value() == null ? 0 : record.value().length);
    }
}
