package dev.tokenlog.fanout.streams;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.fanout.fold.AnswerFold;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.fanout.fold.FoldSettings;
import dev.tokenlog.fanout.fold.FoldTopics;
import dev.tokenlog.fanout.metrics.ThroughputSettings;
import dev.tokenlog.fanout.metrics.ThroughputWindows;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The one Kafka Streams topology of stream-fanout: the answer fold ({@link AnswerFold}) and the
 * throughput windows ({@link ThroughputWindows}), both fed by a single read of {@code llm.chunks}.
 */
public final class FanoutTopology {
    private FanoutTopology() {}

    /**
     * Builds the combined topology.
     *
     * @param topics       the fold's topics ({@code llm.requests}, {@code llm.chunks}, {@code llm.answers})
     * @param metricsTopic where closed throughput windows go ({@code llm.metrics})
     * @param serdes       value serdes of the four topics
     * @param fold         abandonment timing of the fold
     * @param throughput   window length, grace and retention
     * @param metrics      the fold's counters
     */
    public static Topology build(FoldTopics topics, String metricsTopic, TopologySerdes serdes, FoldSettings fold,
                                 ThroughputSettings throughput, FoldMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ChunkRecord> chunks = builder.stream(topics.chunks(),
                Consumed.with(Serdes.String(), serdes.chunks()).withName("chunks-source"));
        AnswerFold.addTo(builder, chunks, topics, serdes.requests(), serdes.answers(), serdes.index(), fold, metrics);
        ThroughputWindows.addTo(builder, chunks, metricsTopic, serdes.windows(), throughput);
        return builder.build();
    }
}
