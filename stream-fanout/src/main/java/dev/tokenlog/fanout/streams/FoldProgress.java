package dev.tokenlog.fanout.streams;

import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.config.TopicsConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How far the fold has read {@code llm.chunks}, as the broker knows it: a partition's end (its last
 * stable offset) and the fold's committed position there (its consumer group is the Kafka Streams
 * application id; with exactly-once, offsets commit in the same transaction as the answers). Asked
 * only by a status read that waits for the fold ({@link SettledStatus}), never per chunk.
 */
@ApplicationScoped
public class FoldProgress {
    private final FanoutKafka kafka;
    private final String topic;
    private final String group;
    private volatile Admin admin;
    private volatile int partitions;

    public FoldProgress(FanoutKafka kafka, TopicsConfig topics,
                        @ConfigProperty(name = "quarkus.kafka-streams.application-id") String group) {
        this.kafka = kafka;
        this.topic = topics.chunks();
        this.group = group;
    }

    /** The partition of {@code llm.chunks} that holds a stream: the producer's default partitioner for its key. */
    int partitionOf(String streamId, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        if (partitions == 0) {
            partitions = admin().describeTopics(List.of(topic)).topicNameValues().get(topic)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).partitions().size();
        }
        return Utils.toPositive(Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The offset after the last committed record of the partition: a chunk written before now lies below it. */
    long end(int partition, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        TopicPartition tp = new TopicPartition(topic, partition);
        return admin().listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    }

    /** The fold's committed position in the partition: every chunk below it is folded and its outputs written; -1 if none. */
    long folded(int partition, Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
        TopicPartition tp = new TopicPartition(topic, partition);
        Map<TopicPartition, OffsetAndMetadata> committed = admin()
                .listConsumerGroupOffsets(Map.of(group, new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(tp))))
                .partitionsToOffsetAndMetadata(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        OffsetAndMetadata at = committed.get(tp);
        return at == null ? -1 : at.offset();
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = kafka.clients().admin("tokenlog-status-offsets");
                }
                a = admin;
            }
        }
        return a;
    }

    @PreDestroy
    void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
