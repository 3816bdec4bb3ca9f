package dev.tokenlog.fanout.fold;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A request in flight, as the fold keeps it in {@link AnswerFold#STATE_STORE} until its FinalAnswer is
 * written. The gateway reads {@link #status()}, {@link #owner()} and the chunk positions to serve
 * requests that have not ended yet.
 *
 * @param requestId       the request (also the store key)
 * @param status          ACCEPTED until the first Started, then RUNNING
 * @param createdAt       when the request was accepted; null when its LlmRequest was not seen
 * @param owner           tenant that created it; null when unknown or auth is off
 * @param lastActivityAt  wall-clock time the fold last saw the request move (abandonment clock)
 * @param chunkPartition  partition of {@code llm.chunks} holding its chunks; null before the first chunk
 * @param firstSeenOffset offset of its first folded chunk of any attempt; null before the first chunk
 * @param earlierAttempts ids of attempts superseded by a later Started, oldest first
 * @param attempt         the current attempt; null while ACCEPTED
 */
public record FoldState(
        String requestId,
        Status status,
        Instant createdAt,
        String owner,
        Instant lastActivityAt,
        Integer chunkPartition,
        Long firstSeenOffset,
        List<String> earlierAttempts,
        AttemptState attempt) {

    /** Where a request in flight stands. */
    public enum Status { ACCEPTED, RUNNING }

    public FoldState {
        earlierAttempts = earlierAttempts == null ? List.of() : List.copyOf(earlierAttempts);
    }

    /** Id of the current attempt; null while ACCEPTED. */
    @JsonIgnore
    public String attemptId() {
        return attempt == null ? null : attempt.attemptId();
    }

    /** Offset of the current attempt's Started, where a replay of its output begins; null while ACCEPTED. */
    @JsonIgnore
    public Long firstChunkOffset() {
        return attempt == null ? null : attempt.firstChunkOffset();
    }

    /** Attempts seen so far (0 while ACCEPTED). */
    @JsonIgnore
    public int attempts() {
        return attempt == null ? 0 : earlierAttempts.size() + 1;
    }

    static FoldState accepted(String requestId, Instant createdAt, String owner, Instant now) {
        return new FoldState(requestId, Status.ACCEPTED, createdAt, owner, now, null, null, List.of(), null);
    }

    /** A request whose LlmRequest the fold has not seen (its Started came first or alone). */
    static FoldState unregistered(String requestId, Instant now) {
        return accepted(requestId, null, null, now);
    }

    /** Fills in what only the LlmRequest knows, keeping everything the chunks already told. */
    FoldState registered(Instant createdAt, String owner) {
        return new FoldState(requestId, status, createdAt, owner, lastActivityAt, chunkPartition,
                firstSeenOffset, earlierAttempts, attempt);
    }

    boolean isCurrent(String attemptId) {
        return attempt != null && attempt.attemptId().equals(attemptId);
    }

    boolean isSuperseded(String attemptId) {
        return earlierAttempts.contains(attemptId);
    }

    /** Starts a new attempt at its Started, dropping the current attempt's partial output. */
    FoldState beginAttempt(String attemptId, ChunkPosition at) {
        List<String> earlier = new ArrayList<>(earlierAttempts);
        if (attempt != null) {
            earlier.add(attempt.attemptId());
        }
        return new FoldState(requestId, Status.RUNNING, createdAt, owner, lastActivityAt,
                chunkPartition != null ? chunkPartition : at.partition(),
                firstSeenOffset != null ? firstSeenOffset : at.offset(),
                earlier, AttemptState.begin(attemptId, at.offset()));
    }

    FoldState withAttempt(AttemptState current, Instant now) {
        return new FoldState(requestId, status, createdAt, owner, now, chunkPartition, firstSeenOffset,
                earlierAttempts, current);
    }
}
