package dev.tokenlog.worker;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.serde.AvroSerdes;
import dev.tokenlog.testsupport.TestKafka;
import dev.tokenlog.testsupport.TestRegistry;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes records to the test broker as the gateway would: Avro values keyed by request id. */
final class RequestSender implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Map<Class<?>, Serializer<?>> serializers = new java.util.concurrent.ConcurrentHashMap<>();

    RequestSender() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends a request to {@code llm.requests}; returns its id. */
    String send(LlmRequest request) {
        sendValue("llm.requests", request.getRequestId(), request);
        return request.getRequestId();
    }

    <T extends SpecificRecord> void sendValue(String topic, String key, T value) {
        sendBytes(topic, key, serialize(topic, value));
    }

    /** Sends without waiting for the acknowledgement (for load); {@link #close()} flushes. */
    void sendAsync(LlmRequest request) {
        producer.send(new ProducerRecord<>("llm.requests", request.getRequestId(), serialize("llm.requests", request)));
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> byte[] serialize(String topic, T value) {
        Serializer<T> serializer = (Serializer<T>) serializers.computeIfAbsent(value.getClass(), type -> AvroSerdes.serde(
                (Class<T>) type, Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl())).serializer());
        return serializer.serialize(topic, value);
    }

    void sendBytes(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new AssertionError("could not send to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
