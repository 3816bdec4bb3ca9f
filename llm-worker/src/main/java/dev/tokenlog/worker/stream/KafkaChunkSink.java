package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.worker.WorkerKafka;
import dev.tokenlog.worker.config.TopicsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

/** Publishes chunks to {@code llm.chunks} keyed by request id, so one request stays in one partition. */
@ApplicationScoped
public class KafkaChunkSink implements ChunkSink {
    private static final Logger LOG = Logger.getLogger(KafkaChunkSink.class);

    private final Producer<String, byte[]> producer;
    private final Serializer<ChunkRecord> serializer;
    private final String topic;
    private final WorkerMetrics metrics;

    public KafkaChunkSink(WorkerKafka kafka, TopicsConfig topics, WorkerMetrics metrics) {
        this.metrics = metrics;
        this.producer = kafka.producer();
        this.serializer = kafka.serializer(ChunkRecord.class);
        this.topic = topics.chunks();
    }

    @Override
    public void send(ChunkRecord chunk, Consumer<Exception> lost) {
        boolean timed = chunk.getSeq() % WorkerMetrics.ACK_SAMPLE == 0;
        producer.send(record(chunk), (metadata, error) -> {
            if (timed && error == null) {
                Instant produced = chunk.getProducedAt();
                metrics.chunkAcked(Duration.between(produced, Instant.now()).toNanos());
            }
            if (error != null) {
                LOG.errorf(error, "chunk %d of request %s was not written", chunk.getSeq(), chunk.getRequestId());
                lost.accept(error);
            }
        });
    }

    /**
     * Waits for the acknowledgement even if the thread is interrupted meanwhile (a cancel racing the
     * terminal): the terminal must be known to be written; the interrupt is restored afterwards.
     */
    @Override
    public void sendAndWait(ChunkRecord chunk) throws ExecutionException {
        Future<RecordMetadata> ack = producer.send(record(chunk));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    ack.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ProducerRecord<String, byte[]> record(ChunkRecord chunk) {
        return new ProducerRecord<>(topic, chunk.getRequestId(), serializer.serialize(topic, chunk));
    }
}
