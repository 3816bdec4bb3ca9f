package dev.tokenlog.fanout.streams;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.StreamIndexEntry;
import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.serde.AvroSerdes;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serdes of the stream-fanout topology (keys are request ids or provider/model strings).
 *
 * @param requests {@code llm.requests}
 * @param chunks   {@code llm.chunks}
 * @param answers  {@code llm.answers}
 * @param windows  {@code llm.metrics}
 * @param index    {@code llm.stream-index}
 */
public record TopologySerdes(Serde<LlmRequest> requests, Serde<ChunkRecord> chunks, Serde<FinalAnswer> answers,
                             Serde<ThroughputWindow> windows, Serde<StreamIndexEntry> index) {

    /**
     * The registry-backed Avro serdes, patient with short registry outages ({@link RegistryPatience}); the
     * three input serdes count undecodable records in {@code failures}.
     *
     * @param serdeConfig registry settings ({@code tokenlog.registry.*})
     */
    public static TopologySerdes avro(Map<String, ?> serdeConfig, DecodeFailures failures) {
        return new TopologySerdes(
                failures.counting(RegistryPatience.patient(AvroSerdes.serde(LlmRequest.class, serdeConfig))),
                failures.counting(RegistryPatience.patient(AvroSerdes.serde(ChunkRecord.class, serdeConfig))),
                failures.counting(RegistryPatience.patient(AvroSerdes.serde(FinalAnswer.class, serdeConfig))),
                RegistryPatience.patient(AvroSerdes.serde(ThroughputWindow.class, serdeConfig)),
                RegistryPatience.patient(AvroSerdes.serde(StreamIndexEntry.class, serdeConfig)));
    }
}
