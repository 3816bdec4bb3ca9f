package dev.tokenlog.fanout.fold;

import java.util.Optional;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Where a chunk sits in {@code llm.chunks}; both null when the record has no metadata. */
record ChunkPosition(Integer partition, Long offset) {

    static ChunkPosition of(Optional<RecordMetadata> metadata) {
        return metadata.map(m -> new ChunkPosition(m.partition(), m.offset())).orElse(new ChunkPosition(null, null));
    }
}
