package dev.tokenlog.fanout.fold;

import dev.tokenlog.schemas.Topics;
import java.util.Objects;

/**
 * The topics the answer fold reads and writes.
 *
 * @param requests {@code llm.requests}: registers each request (LlmRequest, key = requestId)
 * @param chunks   {@code llm.chunks}: the output to fold (ChunkRecord, key = requestId); co-partitioned with requests
 * @param answers  {@code llm.answers}: one FinalAnswer per request, also read back as the global answers store
 * @param streamIndex {@code llm.stream-index}: requests in flight (compacted), read back as the global index store
 */
public record FoldTopics(String requests, String chunks, String answers, String streamIndex) {
    public FoldTopics {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(chunks, "chunks");
        Objects.requireNonNull(answers, "answers");
        Objects.requireNonNull(streamIndex, "streamIndex");
    }

    /** The contract names from ARCHITECTURE.md. */
    public static FoldTopics defaults() {
        return new FoldTopics(Topics.REQUESTS, Topics.CHUNKS, Topics.ANSWERS, Topics.STREAM_INDEX);
    }
}
