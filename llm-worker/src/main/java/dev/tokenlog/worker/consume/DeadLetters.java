package dev.tokenlog.worker.consume;

import dev.tokenlog.schemas.limits.RequestLimits;
import dev.tokenlog.worker.WorkerKafka;
import dev.tokenlog.worker.config.TopicsConfig;
import dev.tokenlog.worker.stream.WorkerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Moves a request that cannot be executed to {@code llm.requests.dlq}: the original key and bytes,
 * with headers saying why and where it came from. The worker keeps going.
 */
@ApplicationScoped
public class DeadLetters {
    public static final String REASON_HEADER = "tokenlog.dlq.reason";
    public static final String SOURCE_HEADER = "tokenlog.dlq.source";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final WorkerKafka kafka;
    private final String topic;
    private final WorkerMetrics metrics;

    public DeadLetters(WorkerKafka kafka, TopicsConfig topics, WorkerMetrics metrics) {
        this.kafka = kafka;
        this.topic = topics.requestsDlq();
        this.metrics = metrics;
    }

    /** Writes the dead letter and waits for the acknowledgement, so the source offset may be committed. */
    public void send(ConsumerRecord<String, byte[]> record, String reason) throws ExecutionException, InterruptedException {
        String source = record.topic() + "-" + record.partition() + "@" + record.offset();
        LOG.warnf("request record %s (key %s) goes to %s: %s", source, RequestLimits.shown(record.key()), topic, reason);
        ProducerRecord<String, byte[]> letter = new ProducerRecord<>(topic, record.key(), record.value());
        letter.headers().add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        letter.headers().add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        kafka.producer().send(letter).get();
        metrics.deadLetter();
    }
}
