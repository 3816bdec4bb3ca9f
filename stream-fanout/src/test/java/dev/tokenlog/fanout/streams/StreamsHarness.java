package dev.tokenlog.fanout.streams;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.config.KafkaClients;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.fanout.fold.FoldSettings;
import dev.tokenlog.fanout.fold.FoldTopics;
import dev.tokenlog.fanout.metrics.ThroughputSettings;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The stream-fanout topology ({@link FanoutTopology}) run by plain {@link KafkaStreams} instances on
 * the real in-JVM broker and registry, with the {@code kafka-streams.*} settings of the app's own
 * application.properties, on topics of its own (so tests sharing the broker do not interfere).
 */
final class StreamsHarness implements AutoCloseable {
    static final int PARTITIONS = 3;

    final FoldTopics topics;
    final String metricsTopic;
    final String applicationId;
    final KafkaClients clients;
    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<ChunkRecord> chunkSerializer;
    private final List<KafkaStreams> started = new ArrayList<>();
    final DecodeFailures decodeFailures = new DecodeFailures();
    final StreamThreadFailures threadFailures = new StreamThreadFailures();

    StreamsHarness(String name) {
        String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        topics = new FoldTopics(suffix + ".requests", suffix + ".chunks", suffix + ".answers", suffix + ".stream-index");
        metricsTopic = suffix + ".metrics";
        applicationId = "tokenlog-fold-" + suffix;
        TestKafka kafka = TestKafka.shared();
        kafka.createTopics(PARTITIONS, topics.requests(), topics.chunks(), topics.answers(), topics.streamIndex(), metricsTopic);
        clients = new KafkaClients(kafka.bootstrapServers(),
                Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl()));
        producer = clients.producer("harness-" + suffix);
        chunkSerializer = clients.serializer(ChunkRecord.class);
    }

    /** A started Kafka Streams instance of the topology with the app's settings, plus overrides. */
    KafkaStreams start(Path stateDir, FoldMetrics metrics, Map<String, Object> overrides) {
        return start(stateDir, metrics, overrides, clients.serdeConfig());
    }

    /** As {@link #start(Path, FoldMetrics, Map)}, with the topology's serdes configured by {@code serdeConfig}. */
    KafkaStreams start(Path stateDir, FoldMetrics metrics, Map<String, Object> overrides, Map<String, ?> serdeConfig) {
        Properties props = appStreamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, clients.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(overrides);
        KafkaStreams streams = new KafkaStreams(FanoutTopology.build(topics, metricsTopic,
                TopologySerdes.avro(serdeConfig, decodeFailures), FoldSettings.defaults(),
                ThroughputSettings.defaults(), metrics), props);
        streams.setUncaughtExceptionHandler(threadFailures); // as the app's bean
        started.add(streams);
        streams.start();
        return streams;
    }

    /** The {@code kafka-streams.*} entries of stream-fanout's application.properties, prefix removed. */
    static Properties appStreamsProperties() {
        Properties app = new Properties();
        try (InputStream in = StreamsHarness.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties streams = new Properties();
        app.stringPropertyNames().stream().filter(k -> k.startsWith("kafka-streams."))
                .forEach(k -> streams.put(k.substring("kafka-streams.".length()), app.getProperty(k)));
        return streams;
    }

    RecordMetadata send(ChunkRecord chunk) {
        try {
            return sendAsync(chunk).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    java.util.concurrent.Future<RecordMetadata> sendAsync(ChunkRecord chunk) {
        return sendRaw(topics.chunks(), chunk.getRequestId(), chunkSerializer.serialize(topics.chunks(), chunk));
    }

    java.util.concurrent.Future<RecordMetadata> sendRaw(String topic, String key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value));
    }

    void flush() {
        producer.flush();
    }

    /** A read-committed consumer of {@code topic}, assigned all partitions from the beginning. */
    KafkaConsumer<String, byte[]> reader(String topic) {
        KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "reader-" + UUID.randomUUID());
        consumer.assign(partitions(topic));
        consumer.seekToBeginning(consumer.assignment());
        return consumer;
    }

    /** Every committed record of {@code topic} up to its current end (the last stable offset). */
    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = reader(topic)) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    List<FinalAnswer> answers() {
        var deserializer = clients.deserializer(FinalAnswer.class);
        return readAll(topics.answers()).stream().map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }

    List<ThroughputWindow> windows() {
        var deserializer = clients.deserializer(ThroughputWindow.class);
        return readAll(metricsTopic).stream().map(r -> deserializer.deserialize(r.topic(), r.value())).toList();
    }

    /**
     * Whether the app has committed every record of {@code topics.chunks()} (it has caught up). A
     * partition no record was written to has nothing to commit: it counts as caught up.
     */
    boolean caughtUp() throws Exception {
        try (Admin admin = TestKafka.shared().admin();
             KafkaConsumer<String, byte[]> consumer = reader(topics.chunks())) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
            return consumer.endOffsets(consumer.assignment()).entrySet().stream().allMatch(e -> e.getValue() == 0
                    || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue());
        }
    }

    private static List<TopicPartition> partitions(String topic) {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return all;
    }

    @Override
    public void close() {
        started.forEach(s -> s.close(Duration.ofSeconds(30)));
        producer.close();
    }
}
