package dev.tokenlog.worker.faults;

import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.serde.AvroSerdes;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The fault suites' side of the test broker: writes requests, commands and poison records, and reads
 * back everything the worker wrote for one of them. "Everything" is exact, not "up to the first
 * terminal": {@link #outcome} waits until the worker's consumer group has committed past the input
 * record (so the worker has finished with it: its terminal, or its dead letter, is acknowledged and
 * nothing more can follow), then reads {@code llm.chunks} and the dead-letter topic to their end.
 */
final class FaultKafka implements AutoCloseable {
    static final String REQUESTS = "llm.requests";
    static final String CONTROL = "llm.control";
    static final String CHUNKS = "llm.chunks";
    static final String DLQ = "llm.requests.dlq";
    /** The worker's consumer group (the default of {@code tokenlog.worker.group-id}). */
    private static final String WORKER_GROUP = "tokenlog-workers";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Where a record landed, and when the test sent it. */
    record Sent(String key, TopicPartition partition, long offset, Instant at) {}

    private final Map<String, Object> serdeConfig = Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl());
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> reader;
    private final Deserializer<ChunkRecord> chunks = AvroSerdes.serde(ChunkRecord.class, serdeConfig).deserializer();
    private final Admin admin = TestKafka.shared().admin();
    private final Map<String, List<ChunkRecord>> chunksByKey = new HashMap<>();
    private final Map<String, List<ConsumerRecord<String, byte[]>>> lettersByKey = new HashMap<>();

    /** Starts reading {@code llm.chunks} and the dead-letter topic at their current end. */
    FaultKafka() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        reader = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = Stream.of(CHUNKS, DLQ)
                .flatMap(t -> reader.partitionsFor(t).stream().map(i -> new TopicPartition(t, i.partition()))).toList();
        reader.assign(partitions);
        reader.seekToEnd(partitions);
        partitions.forEach(reader::position); // resolve the lazy seek now, before anything is sent
    }

    Sent send(LlmRequest request) {
        return sendBytes(REQUESTS, request.getRequestId(), avro(REQUESTS, request));
    }

    /** Any bytes, as any producer could write them. */
    Sent sendBytes(String topic, String key, byte[] value) {
        Instant at = Instant.now();
        try {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, key, value)).get();
            return new Sent(key, new TopicPartition(m.topic(), m.partition()), m.offset(), at);
        } catch (Exception e) {
            throw new AssertionError("could not send to " + topic, e);
        }
    }

    /** {@code value} in the Confluent wire format, its schema registered under {@code <topic>-value}. */
    @SuppressWarnings("unchecked")
    <T extends SpecificRecord> byte[] avro(String topic, T value) {
        return AvroSerdes.serde((Class<T>) value.getClass(), serdeConfig).serializer().serialize(topic, value);
    }

    /** Every chunk the worker wrote for the request {@code sent}, in log order, once the worker is done with it. */
    List<ChunkRecord> outcome(Sent sent) {
        awaitWorkerDone(sent);
        readToEnd();
        return List.copyOf(chunksByKey.getOrDefault(sent.key(), List.of()));
    }

    /** Every dead letter with the key of {@code sent}, once the worker is done with the record. */
    List<ConsumerRecord<String, byte[]>> deadLetters(Sent sent) {
        awaitWorkerDone(sent);
        readToEnd();
        return List.copyOf(lettersByKey.getOrDefault(sent.key(), List.of()));
    }

    /** The worker group committed past {@code sent}: the worker has decided on it and written all it will. */
    private void awaitWorkerDone(Sent sent) {
        await("the worker to commit past " + sent.key() + " at " + sent.partition() + "@" + sent.offset()
                + " (an unfinished earlier request of that partition holds the commit too)")
                .atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets(WORKER_GROUP)
                            .partitionsToOffsetAndMetadata().get().get(sent.partition());
                    return committed != null && committed.offset() > sent.offset();
                });
    }

    private void readToEnd() {
        Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("could not read " + CHUNKS + " and " + DLQ + " to their end within " + WAIT);
            }
            pollOnce();
        }
    }

    /** Waits until the worker wrote a chunk of {@code eventType} for {@code key} (e.g. its first text). */
    void awaitFirst(String key, Class<?> eventType) {
        await("a " + eventType.getSimpleName() + " chunk of " + key).atMost(WAIT).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    pollOnce();
                    return chunksByKey.getOrDefault(key, List.of()).stream().anyMatch(c -> eventType.isInstance(c.getEvent()));
                });
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
            if (r.topic().equals(CHUNKS)) {
                chunksByKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(chunks.deserialize(r.topic(), r.value()));
            } else {
                lettersByKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
            }
        }
    }

    @Override
    public void close() {
        producer.close();
        reader.close();
        admin.close();
    }
}
