package dev.tokenlog.fanout.streams;

import dev.tokenlog.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

/**
 * Rides out short schema-registry outages inside the topology's serdes: a transient registry failure
 * (unreachable, 5xx) is retried in place with backoff for up to {@link #MAX_WAIT}, so a blip costs a
 * pause, not a stream-thread failure (which costs a rebalance). A longer outage is rethrown: the
 * record is then neither skipped nor counted as undecodable ({@link RegistryAwareDecodeHandler}) and
 * the thread is replaced ({@link StreamThreadFailures}). {@code MAX_WAIT} stays below the 10 s
 * transaction timeout Kafka Streams uses with exactly-once, so an open transaction is never aborted
 * by the wait.
 */
final class RegistryPatience {
    private static final Logger LOG = Logger.getLogger(RegistryPatience.class);
    static final Duration MAX_WAIT = Duration.ofSeconds(5);
    private static final long FIRST_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 1_000;

    private RegistryPatience() {}

    /** {@code serde} whose serializer and deserializer retry transient registry failures. */
    static <T> Serde<T> patient(Serde<T> serde) {
        Serializer<T> serializer = serde.serializer();
        Deserializer<T> deserializer = serde.deserializer();
        return Serdes.serdeFrom(new Serializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                serializer.configure(configs, isKey);
            }

            @Override
            public byte[] serialize(String topic, T data) {
                return retrying(() -> serializer.serialize(topic, data), topic);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, T data) {
                return retrying(() -> serializer.serialize(topic, headers, data), topic);
            }

            @Override
            public void close() {
                serializer.close();
            }
        }, new Deserializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                deserializer.configure(configs, isKey);
            }

            @Override
            public T deserialize(String topic, byte[] data) {
                return retrying(() -> deserializer.deserialize(topic, data), topic);
            }

            @Override
            public T deserialize(String topic, Headers headers, byte[] data) {
                return retrying(() -> deserializer.deserialize(topic, headers, data), topic);
            }

            @Override
            public void close() {
                deserializer.close();
            }
        });
    }

    private static <R> R retrying(Supplier<R> call, String topic) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        long backoffMs = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                R result = call.get();
                if (attempt > 1) {
                    LOG.infof("schema registry answers again (%s, after %d tries)", topic, attempt);
                }
                return result;
            } catch (RuntimeException e) {
                if (!SchemaRegistryException.isTransient(e) || System.nanoTime() + backoffMs * 1_000_000 > deadline) {
                    throw e;
                }
                if (attempt == 1) {
                    LOG.warnf("schema registry unavailable (%s); retrying for up to %s: %s", topic, MAX_WAIT, e.getMessage());
                }
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.apache.kafka.common.errors.InterruptException(e);
            }
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
    }
}
