package dev.tokenlog.fanout.streams;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.jboss.logging.Logger;

/**
 * Kafka Streams' {@code production.exception.handler}, the last resort for a record the fold's producer
 * refuses as too large: it is logged (topic, key, size; never the value) and counted
 * ({@code tokenlog_streams_unwritable_records_total}), and processing continues instead of failing
 * the task, which would move to the next gateway and fail there the same way. Any other send error
 * fails the task as before (Kafka's default): it may be transient, and skipping it would lose a record.
 *
 * <p>Why the fold does not rely on this handler: Kafka 4.1's handler can only answer CONTINUE or FAIL,
 * it cannot write a replacement record; and under exactly-once the producer aborts the transaction on
 * any refused send, so the next send or the commit fails whatever the handler answers (tried: with this
 * handler alone, a 20 MiB answer still stopped the fold thread). The fold therefore caps each
 * answer's output ({@code tokenlog.fold.max-answer-bytes}) and checks an answer's size before it
 * forwards it, turning one that would not fit into a FAILED {@code ANSWER_TOO_LARGE} answer (see
 * {@code fold.AnswerSize}); this handler only sees what slipped past those checks, and keeps an
 * at-least-once deployment running.
 */
public final class UnwritableRecords implements ProductionExceptionHandler {
    private static final Logger LOG = Logger.getLogger(UnwritableRecords.class);
    /** One count per JVM: Kafka Streams creates the handler itself, so it cannot be handed a bean. */
    private static final LongAdder SKIPPED = new LongAdder();

    /** Records skipped since start because they were too large to write. */
    public static long skipped() {
        return SKIPPED.sum();
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                                     Exception exception) {
        if (!(exception instanceof RecordTooLargeException)) {
            return ProductionExceptionHandlerResponse.FAIL;
        }
        SKIPPED.increment();
        LOG.errorf("skipping a record of %d bytes for %s (key %s, from %s-%d@%d): too large to write; %s",
                record.value() == null ? 0 : record.value().length, record.topic(), key(record),
                context.topic(), context.partition(), context.offset(), exception.getMessage());
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    private static String key(ProducerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return "null";
        }
        String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        return key.length() > 80 ? key.substring(0, 80) + "…" : key.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
