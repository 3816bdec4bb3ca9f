package dev.tokenlog.fanout.streams;

import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.config.FoldConfig;
import dev.tokenlog.fanout.config.MetricsConfig;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.fanout.fold.FoldTopics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.List;
import org.apache.kafka.streams.Topology;

/**
 * Hands the topology to the Kafka Streams extension; it is built by {@link FanoutTopology}. Also
 * publishes the fold's counters and the undecodable-record counts as metrics.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    @ApplicationScoped
    public FoldMetrics foldMetrics(MeterRegistry registry) {
        FoldMetrics metrics = new FoldMetrics();
        metrics.snapshot().keySet().forEach(name -> Gauge.builder("tokenlog.fold." + name,
                metrics, m -> m.snapshot().getOrDefault(name, 0L)).register(registry));
        return metrics;
    }

    /** Undecodable input records, as {@code tokenlog_streams_undecodable_records_total{topic=...}}. */
    @Produces
    @ApplicationScoped
    public DecodeFailures decodeFailures(MeterRegistry registry, TopicsConfig topics) {
        DecodeFailures failures = new DecodeFailures();
        for (String topic : List.of(topics.requests(), topics.chunks(), topics.answers())) {
            FunctionCounter.builder("tokenlog.streams.undecodable.records", failures, f -> f.count(topic))
                    .description("Records that could not be decoded and were skipped")
                    .tag("topic", topic)
                    .register(registry);
        }
        FunctionCounter.builder("tokenlog.streams.unwritable.records", failures, f -> UnwritableRecords.skipped())
                .description("Records the fold's producer refused as too large and skipped (UnwritableRecords)")
                .register(registry);
        return failures;
    }

    @Produces
    public Topology topology(FanoutKafka kafka, TopicsConfig topics, FoldConfig fold, MetricsConfig windows,
                             FoldMetrics metrics, DecodeFailures failures) {
        return FanoutTopology.build(
                new FoldTopics(topics.requests(), topics.chunks(), topics.answers(), topics.streamIndex()),
                topics.metrics(),
                TopologySerdes.avro(kafka.clients().serdeConfig(), failures),
                fold.settings(),
                windows.settings(fold),
                metrics);
    }
}
