package dev.tokenlog.fanout.metrics;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.schemas.RequestIds;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each request's chunks (keyed by requestId) into {@link AttemptEvent}s keyed by
 * {@link ModelKey} and timestamped with the chunk's {@code producedAt}: Started, the first output
 * chunk (text, reasoning or tool call) and the terminal. Writes its store only at those chunks and at
 * Usage, so the many deltas of a long answer cost one read each.
 *
 * <p>Duplicates of the current attempt's chunks are ignored; chunks of an attempt that is not the
 * current one (a zombie worker's) are ignored. A request whose attempt never ends is forgotten after
 * {@link ThroughputSettings#forgetAfter()} without activity: it counts as started, never as ended.
 */
final class AttemptTracker implements Processor<String, ChunkRecord, String, AttemptEvent> {
    private final ThroughputSettings settings;
    private final long touchEveryMs;
    private ProcessorContext<String, AttemptEvent> context;
    private KeyValueStore<String, Track> tracks;
    private long initializedAtMs;

    AttemptTracker(ThroughputSettings settings) {
        this.settings = settings;
        // Activity refreshes the forgetting clock at most this often, so deltas rarely write.
        this.touchEveryMs = Math.min(60_000, settings.forgetAfter().toMillis() / 4);
    }

    @Override
    public void init(ProcessorContext<String, AttemptEvent> context) {
        this.context = context;
        this.tracks = context.getStateStore(ThroughputWindows.TRACK_STORE);
        this.initializedAtMs = context.currentSystemTimeMs();
        context.schedule(settings.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, this::forgetIdle);
    }

    @Override
    public void process(Record<String, ChunkRecord> record) {
        ChunkRecord chunk = record.value();
        if (chunk == null) {
            return;
        }
        String id = record.key() != null ? record.key() : chunk.getRequestId();
        long now = context.currentSystemTimeMs();
        long at = chunk.getProducedAt().toEpochMilli();
        Track track = tracks.get(id);
        if (chunk.getEvent() instanceof Started started) {
            if (track == null || !track.attemptId().equals(chunk.getAttemptId())) {
                track = new Track(chunk.getAttemptId(), started.getProvider(), started.getModel(),
                        createdAt(id, at), false, 0, now);
                tracks.put(id, track);
                emit(track, new AttemptEvent.Started(), at);
            }
            return;
        }
        if (track == null || !track.attemptId().equals(chunk.getAttemptId())) {
            return;
        }
        switch (chunk.getEvent()) {
            case TextDelta e -> output(id, track, at, now);
            case ReasoningDelta e -> output(id, track, at, now);
            case ToolCallStarted e -> output(id, track, at, now);
            case ToolCallDelta e -> output(id, track, at, now);
            case ToolCallFinished e -> output(id, track, at, now);
            case Usage e -> tracks.put(id, track.withOutputTokens(e.getOutput(), now));
            case Completed e -> end(id, track, AttemptEvent.Outcome.COMPLETED, null, at);
            case Failed e -> end(id, track, AttemptEvent.Outcome.FAILED, e.getCode(), at);
            case Cancelled e -> end(id, track, AttemptEvent.Outcome.CANCELLED, null, at);
            default -> touch(id, track, now);
        }
    }

    private void output(String id, Track track, long at, long now) {
        if (track.firstOutput()) {
            touch(id, track, now);
            return;
        }
        tracks.put(id, track.withFirstOutput(now));
        emit(track, new AttemptEvent.FirstToken(Math.max(0, at - track.createdAtMs())), at);
    }

    private void end(String id, Track track, AttemptEvent.Outcome outcome, String code, long at) {
        tracks.delete(id);
        emit(track, new AttemptEvent.Ended(outcome, code, track.outputTokens()), at);
    }

    private void touch(String id, Track track, long now) {
        if (now - track.touchedAtMs() >= touchEveryMs) {
            tracks.put(id, track.touched(now));
        }
    }

    private void emit(Track track, AttemptEvent event, long at) {
        context.forward(new Record<>(track.key().encoded(), event, at));
    }

    /** The request's UUIDv7 creation time: what a user's wait is measured from. */
    private static long createdAt(String requestId, long startedAt) {
        return RequestIds.isValid(requestId) ? RequestIds.timestampOf(requestId).toEpochMilli() : startedAt;
    }

    private void forgetIdle(long nowMs) {
        long cutoff = nowMs - settings.forgetAfter().toMillis();
        if (initializedAtMs > cutoff) {
            // Just (re)started: restored entries may be older than chunks still waiting in the partition.
            return;
        }
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, Track> all = tracks.all()) {
            all.forEachRemaining(kv -> {
                if (kv.value.touchedAtMs() < cutoff) {
                    idle.add(kv.key);
                }
            });
        }
        idle.forEach(tracks::delete);
    }
}
