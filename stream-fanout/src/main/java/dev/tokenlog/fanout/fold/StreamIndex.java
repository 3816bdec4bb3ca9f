package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.StreamIndexEntry;
import java.time.Instant;
import java.util.Objects;

/**
 * What the fold publishes about a request in flight on {@code llm.stream-index}: an entry when the
 * request is accepted and whenever its status, owner or first chunk changes (a handful per request),
 * and a tombstone once its FinalAnswer is written.
 */
final class StreamIndex {
    private StreamIndex() {}

    /** The entry for {@code state}. */
    static StreamIndexEntry entry(FoldState state, Instant now) {
        return new StreamIndexEntry(state.requestId(), state.status().name(), state.owner(), state.chunkPartition(),
                state.firstSeenOffset(), now);
    }

    /** Whether going from {@code before} (null: new) to {@code after} changes what the index says. */
    static boolean changed(FoldState before, FoldState after) {
        return before == null
                || before.status() != after.status()
                || !Objects.equals(before.owner(), after.owner())
                || !Objects.equals(before.firstSeenOffset(), after.firstSeenOffset());
    }
}
