package dev.tokenlog.deploy;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.Started;
import dev.tokenlog.config.KafkaClients;
import dev.tokenlog.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the stack wrote to {@code llm.answers} and {@code llm.chunks}, read to the end with the
 * apps' own clients and Avro deserializers ({@link KafkaClients}), so a test can count the answers
 * per request and audit what SSE subscribers received against the log itself.
 */
final class RecordLog {
    private static final Duration READ_DEADLINE = Duration.ofSeconds(60);

    private final KafkaClients clients;

    RecordLog(String bootstrapServers, String registryUrl) {
        this.clients = new KafkaClients(bootstrapServers, Map.of("tokenlog.registry.url", registryUrl));
    }

    /** Every committed FinalAnswer of the given requests, in log order (so a duplicate shows twice). */
    List<FinalAnswer> answers(Set<String> requestIds) {
        Deserializer<FinalAnswer> deserializer = clients.deserializer(FinalAnswer.class);
        return readAll(Topics.ANSWERS, requestIds).stream()
                .map(r -> deserializer.deserialize(r.topic(), r.value()))
                .toList();
    }

    /** The chunks of a request's final attempt in log order: their SSE event ids and their seqs. */
    record FinalAttempt(List<String> eventIds, List<Long> seqs) {}

    /**
     * For each request, its final attempt (the attempt of its last {@code Started}) as the log holds
     * it: the event ids ({@code <partition>-<offset>}) are exactly the events a subscriber keeps
     * after its last {@code reset}, and the seqs must run 0, 1, 2... without gap or repeat.
     */
    Map<String, FinalAttempt> finalAttempts(Set<String> requestIds) {
        Deserializer<ChunkRecord> deserializer = clients.deserializer(ChunkRecord.class);
        Map<String, List<ConsumerRecord<String, ChunkRecord>>> byRequest = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(Topics.CHUNKS, requestIds)) {
            ChunkRecord chunk = deserializer.deserialize(r.topic(), r.value());
            byRequest.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(new ConsumerRecord<>(
                    r.topic(), r.partition(), r.offset(), r.key(), chunk));
        }
        Map<String, FinalAttempt> attempts = new HashMap<>();
        byRequest.forEach((id, chunks) -> {
            String last = chunks.stream().filter(c -> c.value().getEvent() instanceof Started)
                    .map(c -> c.value().getAttemptId()).reduce((a, b) -> b).orElse(null);
            List<ConsumerRecord<String, ChunkRecord>> chunksOfLast = chunks.stream()
                    .filter(c -> c.value().getAttemptId().equals(last)).toList();
            attempts.put(id, new FinalAttempt(
                    chunksOfLast.stream().map(c -> c.partition() + "-" + c.offset()).toList(),
                    chunksOfLast.stream().map(c -> c.value().getSeq()).toList()));
        });
        return attempts;
    }

    /** The committed records of {@code topic} whose key is one of {@code keys}, up to the current end. */
    private List<ConsumerRecord<String, byte[]>> readAll(String topic, Set<String> keys) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "process-faults-audit")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plus(READ_DEADLINE);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("could not read " + topic + " to its end " + end + " within " + READ_DEADLINE);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (keys.contains(r.key())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }
}
