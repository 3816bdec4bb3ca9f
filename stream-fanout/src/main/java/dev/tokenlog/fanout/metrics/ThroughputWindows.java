package dev.tokenlog.fanout.metrics;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.ThroughputWindow;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Throughput analytics: per provider+model and tumbling window, attempts started, completed, failed
 * (by code) and cancelled, output tokens, tokens per second and time-to-first-token percentiles,
 * written once per window to {@code llm.metrics} as {@link ThroughputWindow}.
 *
 * <pre>
 * llm.chunks ─▶ throughput-track (requestId → {@link Track}) ─▶ {@link AttemptEvent} keyed provider/model,
 *   at the chunk's producedAt ─▶ throughput-events (repartition) ─▶ tumbling windows + grace
 *   ─▶ throughput-windows (queryable window store) ─▶ on window close ─▶ llm.metrics
 * </pre>
 *
 * Windows are event-time windows over {@code producedAt}. A window is written when stream time (the
 * largest producedAt seen on its partition of the repartition topic) passes its end plus the grace;
 * events later than that are dropped (Kafka Streams counts them in its {@code dropped-records}
 * metric). Stream time only moves with new events, so after traffic stops the last window is written
 * when the next event arrives; until then it can be read from the window store.
 */
public final class ThroughputWindows {
    /** Local store of attempts in flight: requestId → {@link Track}. */
    public static final String TRACK_STORE = "throughput-track";
    /** Local window store: provider/model ({@link ModelKey#encoded()}) and window → {@link WindowAggregate}. */
    public static final String WINDOW_STORE = "throughput-windows";

    private ThroughputWindows() {}

    /** Builds the windows as a topology of their own, reading {@code chunksTopic}. */
    public static Topology build(String chunksTopic, String metricsTopic, Serde<ChunkRecord> chunks,
                                 Serde<ThroughputWindow> windows, ThroughputSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, builder.stream(chunksTopic, Consumed.with(Serdes.String(), chunks)
                .withName("throughput-chunks-source")), metricsTopic, windows, settings);
        return builder.build();
    }

    /**
     * Adds the windows to a shared topology.
     *
     * @param builder      the shared builder
     * @param chunks       {@code llm.chunks}, keyed by requestId
     * @param metricsTopic where closed windows go ({@code llm.metrics}, key = provider/model)
     * @param windows      serde of {@code llm.metrics} values
     * @param settings     window length, grace, retention and the tracker's forgetting
     */
    public static void addTo(StreamsBuilder builder, KStream<String, ChunkRecord> chunks, String metricsTopic,
                             Serde<ThroughputWindow> windows, ThroughputSettings settings) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TRACK_STORE), Serdes.String(), new TrackSerde()));

        chunks.process(() -> new AttemptTracker(settings), Named.as("throughput-track"), TRACK_STORE)
                .groupByKey(Grouped.with("throughput-events", Serdes.String(), new JsonSerde<>(AttemptEvent.class)))
                .windowedBy(TimeWindows.ofSizeAndGrace(settings.window(), settings.grace()))
                .emitStrategy(EmitStrategy.onWindowClose())
                .aggregate(WindowAggregate::empty, (key, event, total) -> total.add(event),
                        Named.as("throughput-aggregate"),
                        Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(new JsonSerde<>(WindowAggregate.class))
                                .withRetention(settings.retention()))
                .toStream(Named.as("throughput-closed"))
                .map((window, total) -> KeyValue.pair(window.key(), total.toAvro(ModelKey.parse(window.key()),
                        window.window().startTime(), window.window().endTime())), Named.as("throughput-to-avro"))
                .to(metricsTopic, Produced.with(Serdes.String(), windows).withName("throughput-metrics"));
    }
}
