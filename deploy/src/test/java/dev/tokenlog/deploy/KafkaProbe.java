package dev.tokenlog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes one string record and reads it back by its exact position, to prove data survives a restart. */
final class KafkaProbe {
    private static final Duration READ_DEADLINE = Duration.ofSeconds(30);

    private KafkaProbe() {}

    /** Produces with the settings the apps use ({@code acks=all}, idempotence) and returns where it landed. */
    static RecordMetadata produce(String bootstrap, String topic, String key, String value) throws Exception {
        return produce(bootstrap, topic, key, value, "none");
    }

    /** As {@link #produce(String, String, String, String)}, compressing the batch with {@code codec}. */
    static RecordMetadata produce(String bootstrap, String topic, String key, String value, String codec)
            throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** The record at {@code at}'s partition and offset; fails when it cannot be read within 30 s. */
    static ConsumerRecord<String, String> readAt(String bootstrap, RecordMetadata at) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        TopicPartition partition = new TopicPartition(at.topic(), at.partition());
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Set.of(partition));
            consumer.seek(partition, at.offset());
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(READ_DEADLINE);
            while (records.isEmpty() && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).as("record at %s-%d@%d", at.topic(), at.partition(), at.offset()).isNotEmpty();
            return records.getFirst();
        }
    }
}
