package dev.tokenlog.fanout.api;

import dev.tokenlog.fanout.FanoutKafka;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

/**
 * Writes the gateway's records (requests, control commands) and returns once Kafka acknowledged
 * them; a failure is an {@link ApiException} a client can act on: 413 when the record is too large,
 * 503 when Kafka does not answer.
 */
@ApplicationScoped
public class RecordWriter {
    private static final Logger LOG = Logger.getLogger(RecordWriter.class);
    private static final long SEND_TIMEOUT_SECONDS = 10;

    private final FanoutKafka kafka;
    private final Map<Class<?>, Serializer<?>> serializers = new ConcurrentHashMap<>();

    public RecordWriter(FanoutKafka kafka) {
        this.kafka = kafka;
    }

    /** Sends {@code value} to {@code topic} under {@code key} and waits for the acknowledgement. */
    public <T extends SpecificRecord> void send(String topic, String key, T value) {
        try {
            kafka.producer().send(new ProducerRecord<>(topic, key, serializer(value).serialize(topic, value)))
                    .get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            if (e.getCause() instanceof RecordTooLargeException tooLarge) {
                // Inline images travel inside the record: its size, not Kafka's health, is the problem.
                throw new ApiException(413, "request_too_large", "the request does not fit in one record of " + topic
                        + " (" + tooLarge.getMessage() + "); send large images as https URLs, or ask the operator to"
                        + " raise the producer's max.request.size and the topic's max.message.bytes");
            }
            LOG.errorf("writing to %s failed: %s", topic, e.toString());
            throw new ApiException(503, "kafka_unavailable",
                    "the request was not accepted because Kafka did not acknowledge it in time; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "the gateway is shutting down; retry");
        }
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> Serializer<T> serializer(T value) {
        return (Serializer<T>) serializers.computeIfAbsent(value.getClass(),
                type -> kafka.clients().serializer(type.asSubclass(SpecificRecord.class)));
    }
}
