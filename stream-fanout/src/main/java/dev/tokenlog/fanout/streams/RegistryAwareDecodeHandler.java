package dev.tokenlog.fanout.streams;

import dev.tokenlog.registry.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.jboss.logging.Logger;

/**
 * Kafka Streams' {@code deserialization.exception.handler}: a record that cannot be decoded is logged
 * (topic, partition, offset, reason) and skipped, so poison never stops the fold (ARCHITECTURE.md,
 * guarantee 8). But when the schema registry itself failed (unreachable, 5xx), the record is fine and
 * skipping it would lose a chunk: the stream thread fails instead, and {@link StreamThreadFailures}
 * replaces it, so the record is read again from the last commit once the registry answers.
 */
public final class RegistryAwareDecodeHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = Logger.getLogger(RegistryAwareDecodeHandler.class);

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        if (SchemaRegistryException.isTransient(exception)) {
            LOG.warnf("schema registry unavailable while decoding %s-%d@%d; the record is read again once it answers: %s",
                    record.topic(), record.partition(), record.offset(), exception.getMessage());
            return DeserializationHandlerResponse.FAIL;
        }
        LOG.warnf("skipping undecodable record %s-%d@%d: %s",
                record.topic(), record.partition(), record.offset(), exception.getMessage());
        return DeserializationHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
