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
 * JSON serde of {@link FoldState}. The state is internal to the fold (its store and changelog), so
 * plain JSON is enough; unknown properties are ignored so that a newer state can be read by an
 * older fold during a rolling upgrade.
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
                return JSON.writeValueAsBytes(state);
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
                return JSON.readValue(bytes, FoldState.class);
            } catch (IOException e) {
                throw new SerializationException("cannot read fold state from " + topic, e);
            }
        };
    }
}
