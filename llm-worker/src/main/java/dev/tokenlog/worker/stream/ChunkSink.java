package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.ChunkRecord;
import java.util.concurrent.ExecutionException;

/** Where an attempt's chunks go: {@code llm.chunks}, keyed by request id. */
public interface ChunkSink {

    /** Sends asynchronously; order per request is kept by the idempotent producer. */
    void send(ChunkRecord chunk);

    /** Sends and blocks until acknowledged (used for terminals). */
    void sendAndWait(ChunkRecord chunk) throws ExecutionException;
}
