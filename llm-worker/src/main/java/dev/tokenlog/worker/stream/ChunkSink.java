package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.ChunkRecord;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/** Where an attempt's chunks go: {@code llm.chunks}, keyed by request id. */
public interface ChunkSink {

    /**
     * Sends asynchronously; order per request is kept by the idempotent producer. If the chunk cannot be
     * written (refused or failed for good), {@code lost} is called with the reason.
     */
    void send(ChunkRecord chunk, Consumer<Exception> lost);

    /** Sends and blocks until acknowledged (used for terminals). */
    void sendAndWait(ChunkRecord chunk) throws ExecutionException;
}
