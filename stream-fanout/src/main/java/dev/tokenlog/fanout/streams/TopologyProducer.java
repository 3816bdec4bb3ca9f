package dev.tokenlog.fanout.streams;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.config.KafkaClients;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.fold.AnswerFold;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.fanout.fold.FoldSettings;
import dev.tokenlog.fanout.fold.FoldTopics;
import dev.tokenlog.serde.AvroSerdes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** Hands the fold topology to the Kafka Streams extension; the topology itself is built by {@link AnswerFold}. */
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

    @Produces
    public Topology topology(FanoutKafka kafka, TopicsConfig topics, FoldMetrics metrics) {
        KafkaClients clients = kafka.clients();
        return AnswerFold.build(
                new FoldTopics(topics.requests(), topics.chunks(), topics.answers()),
                AvroSerdes.serde(LlmRequest.class, clients.serdeConfig()),
                AvroSerdes.serde(ChunkRecord.class, clients.serdeConfig()),
                AvroSerdes.serde(FinalAnswer.class, clients.serdeConfig()),
                FoldSettings.defaults(),
                metrics);
    }
}
