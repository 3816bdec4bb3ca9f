package dev.tokenlog.fanout.openai;

import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.quota.RequestsInFlight;
import dev.tokenlog.fanout.streams.RequestIndex;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Waits for the final answer of a request this gateway has just written, by asking the fold's index
 * ({@link RequestIndex}, as {@code GET /v1/streams/{id}} does) with a short backoff: the answer is
 * readable about one commit interval after the terminal chunk.
 */
@ApplicationScoped
public class AnswerWaiter {
    private static final long FIRST_POLL_MS = 10;
    private static final long MAX_POLL_MS = 100;

    private final RequestIndex index;
    private final RequestsInFlight inFlight;

    public AnswerWaiter(RequestIndex index, RequestsInFlight inFlight) {
        this.index = index;
        this.inFlight = inFlight;
    }

    /**
     * The final answer of {@code id}; null if {@code gone} turns true first (the client left: the
     * request runs on, since a disconnect is not a cancel).
     *
     * @throws ApiException 504 {@code answer_timeout} after {@code timeout}
     */
    FinalAnswer await(String id, Duration timeout, AtomicBoolean gone) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_MS;
        while (!gone.get()) {
            try {
                FinalAnswer answer = index.lookup(id).answer();
                if (answer != null) {
                    inFlight.ended(id); // its quota slot is free before the caller even reads the answer
                    return answer;
                }
            } catch (ApiException e) {
                // The request is in Kafka: not found (yet) or a store being restored only means "not folded yet".
                if (e.status() != 404 && e.status() != 503) {
                    throw e;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ApiException(504, "answer_timeout", "request " + id + " has not ended within " + timeout
                        + " (tokenlog.gateway.completion-timeout); it keeps running: read its answer with GET /v1/streams/"
                        + id + ", or stream it with GET /v1/streams/" + id + "/events?format=openai");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "interrupted", "the gateway is shutting down; read the answer with GET /v1/streams/"
                        + id);
            }
            pause = Math.min(MAX_POLL_MS, pause * 2);
        }
        return null;
    }
}
