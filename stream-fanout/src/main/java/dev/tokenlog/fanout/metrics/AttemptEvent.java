package dev.tokenlog.fanout.metrics;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What one attempt contributes to the throughput windows, derived from its chunks by
 * {@link AttemptTracker} and keyed by {@link ModelKey}. Each event is counted in the window of the
 * chunk that produced it (its {@code producedAt}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AttemptEvent.Started.class, name = "started"),
        @JsonSubTypes.Type(value = AttemptEvent.FirstToken.class, name = "first-token"),
        @JsonSubTypes.Type(value = AttemptEvent.Ended.class, name = "ended")})
sealed interface AttemptEvent {

    /** The attempt's Started. */
    record Started() implements AttemptEvent {}

    /**
     * The attempt's first output chunk.
     *
     * @param ttftMs time from the request's creation (its UUIDv7 timestamp) to this chunk, never negative
     */
    record FirstToken(long ttftMs) implements AttemptEvent {}

    /**
     * The attempt's terminal.
     *
     * @param outcome      how it ended
     * @param code         the Failed code; null unless FAILED
     * @param outputTokens output tokens of the attempt's last Usage; 0 when it reported none
     */
    record Ended(Outcome outcome, String code, long outputTokens) implements AttemptEvent {}

    /** The three terminals of ChunkRecord. */
    enum Outcome { COMPLETED, FAILED, CANCELLED }
}
