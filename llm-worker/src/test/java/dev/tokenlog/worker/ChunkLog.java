package dev.tokenlog.worker;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.serde.AvroSerdes;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code llm.chunks} of the test broker from the beginning, for assertions on what a worker wrote. */
final class ChunkLog implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<ChunkRecord> deserializer;
    private final List<ChunkRecord> seen = new ArrayList<>();

    ChunkLog() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor("llm.chunks").stream()
                .map(i -> new TopicPartition("llm.chunks", i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        deserializer = AvroSerdes.serde(ChunkRecord.class,
                Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl())).deserializer();
    }

    /** Every chunk of {@code requestId} up to and including its first terminal, waiting up to {@code timeout}. */
    List<ChunkRecord> untilTerminal(String requestId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ChunkRecord> mine = seen.stream().filter(c -> c.getRequestId().equals(requestId)).toList();
            for (int i = 0; i < mine.size(); i++) {
                if (isTerminal(mine.get(i))) {
                    return mine.subList(0, i + 1);
                }
            }
            pollOnce();
        }
        throw new AssertionError("no terminal chunk for " + requestId + " within " + timeout);
    }

    /** Waits until {@code requestId} has a chunk whose event is of {@code type}. */
    void untilFirst(String requestId, Class<?> type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (seen.stream().anyMatch(c -> c.getRequestId().equals(requestId) && type.isInstance(c.getEvent()))) {
                return;
            }
            pollOnce();
        }
        throw new AssertionError("no " + type.getSimpleName() + " chunk for " + requestId + " within " + timeout);
    }

    /** Every chunk of {@code requestId} read so far, after one more poll. */
    List<ChunkRecord> all(String requestId) {
        pollOnce();
        return seen.stream().filter(c -> c.getRequestId().equals(requestId)).toList();
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            seen.add(deserializer.deserialize(r.topic(), r.value()));
        }
    }

    static boolean isTerminal(ChunkRecord c) {
        return c.getEvent() instanceof Completed || c.getEvent() instanceof Failed || c.getEvent() instanceof Cancelled;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
