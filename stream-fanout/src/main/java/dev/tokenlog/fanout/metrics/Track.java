package dev.tokenlog.fanout.metrics;

/**
 * What {@link AttemptTracker} remembers of a request's current attempt between its Started and its
 * terminal: enough to attribute later chunks, which carry no provider or model, to a {@link ModelKey}.
 *
 * @param attemptId    the current attempt
 * @param provider     provider entry of its Started
 * @param model        model of its Started
 * @param createdAtMs  the request's creation (UUIDv7 timestamp; the Started's producedAt for other ids)
 * @param firstOutput  whether its first output chunk was seen
 * @param outputTokens output tokens of its last Usage
 * @param touchedAtMs  wall-clock time this entry was last written (forgetting clock)
 */
record Track(String attemptId, String provider, String model, long createdAtMs, boolean firstOutput,
             long outputTokens, long touchedAtMs) {

    ModelKey key() {
        return new ModelKey(provider, model);
    }

    Track withFirstOutput(long now) {
        return new Track(attemptId, provider, model, createdAtMs, true, outputTokens, now);
    }

    Track withOutputTokens(long tokens, long now) {
        return new Track(attemptId, provider, model, createdAtMs, firstOutput, tokens, now);
    }

    Track touched(long now) {
        return new Track(attemptId, provider, model, createdAtMs, firstOutput, outputTokens, now);
    }
}
