package dev.tokenlog.fanout.quota;

import dev.tokenlog.avro.LlmRequest;

/**
 * A request's claims on its tenant's quotas, taken before it is written to Kafka so that a refused
 * request never runs: a {@link Quota#REQUESTS_IN_FLIGHT} slot and, for a call that waits for its
 * answer, a {@link Quota#WAITING_COMPLETIONS} slot. {@link #close()} (in a {@code finally}) gives back
 * the waiting slot, and the in-flight slot too unless the request was {@link #accepted}: that one is
 * then released when the request ends.
 */
public final class Admission implements AutoCloseable {
    private final RequestsInFlight requests;
    private final Slot inFlight;
    private final Slot waiting;
    private boolean accepted;

    Admission(RequestsInFlight requests, Slot inFlight, Slot waiting) {
        this.requests = requests;
        this.inFlight = inFlight;
        this.waiting = waiting;
    }

    /** The request is in Kafka: its in-flight slot now lasts until it ends. */
    public void accepted(LlmRequest request) {
        requests.track(request.getRequestId(), request.getDeadline(), inFlight);
        accepted = true;
    }

    @Override
    public void close() {
        if (waiting != null) {
            waiting.close();
        }
        if (!accepted) {
            inFlight.close();
        }
    }
}
