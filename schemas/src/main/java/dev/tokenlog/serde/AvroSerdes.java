package dev.tokenlog.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Factory for configured Avro serdes. */
public final class AvroSerdes {
    private AvroSerdes() {}

    /**
     * A value serde for {@code type}, configured from {@code config} ({@code tokenlog.registry.*}).
     *
     * @throws org.apache.kafka.common.config.ConfigException when the registry settings are missing or malformed
     */
    public static <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type, Map<String, ?> config) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(config, false);
        return serde;
    }

    /** A key serde for {@code type} (subject {@code <topic>-key}), configured from {@code config}. */
    public static <T extends SpecificRecord> AvroSerde<T> keySerde(Class<T> type, Map<String, ?> config) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(config, true);
        return serde;
    }
}
