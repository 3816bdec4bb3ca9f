package dev.tokenlog.fanout.fold;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of {@link FoldState} in the fold's store and changelog. Writes the compact binary form of
 * {@link FoldStateCodec} (the fold rewrites a request's state on every chunk, so the cost matters);
 * reads it and also the JSON that earlier versions wrote (it starts with '{'), ignoring unknown
 * JSON properties, so state and changelogs of an earlier version restore after an upgrade.
 */
public final class FoldStateSerde implements Serde<FoldState> {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Override
    public Serializer<FoldState> serializer() {
        return (topic, state) -> {
            if (state == null) {
                return null;
            }
            try {
                return FoldStateCodec.write(state);
            } catch (IOException e) {
                throw new SerializationException("cannot write fold state of " + state.requestId(), e);
            }
        };
    }

    @Override
    public Deserializer<FoldState> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return bytes.length > 0 && bytes[0] == '{' ? JSON.readValue(bytes, FoldState.class)
                        : FoldStateCodec.read(bytes);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot read fold state from " + topic, e);
            }
        };
    }
}
