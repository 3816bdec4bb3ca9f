package dev.tokenlog.fanout.streams;

import dev.tokenlog.registry.SchemaRegistryException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Counts records that could not be decoded, by topic. {@link #counting(Serde)} wraps an input serde:
 * its deserializer counts each failure and rethrows it, and Kafka Streams' configured
 * {@code deserialization.exception.handler} ({@link RegistryAwareDecodeHandler}) then logs the record's
 * topic, partition and offset and skips it, so a poison record never stops the app (ARCHITECTURE.md,
 * guarantee 8). Transient schema-registry failures are not counted: those records are read again.
 */
public final class DecodeFailures {
    private final Map<String, LongAdder> byTopic = new ConcurrentHashMap<>();

    /** {@code serde} with a deserializer that counts its failures here. */
    public <T> Serde<T> counting(Serde<T> serde) {
        return Serdes.serdeFrom(serde.serializer(), new Counting<>(serde.deserializer()));
    }

    /** Undecodable records seen on {@code topic}. */
    public long count(String topic) {
        LongAdder adder = byTopic.get(topic);
        return adder == null ? 0 : adder.sum();
    }

    private void failed(String topic) {
        byTopic.computeIfAbsent(String.valueOf(topic), t -> new LongAdder()).increment();
    }

    private final class Counting<T> implements Deserializer<T> {
        private final Deserializer<T> delegate;

        Counting(Deserializer<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            delegate.configure(configs, isKey);
        }

        @Override
        public T deserialize(String topic, byte[] data) {
            try {
                return delegate.deserialize(topic, data);
            } catch (RuntimeException e) {
                if (!SchemaRegistryException.isTransient(e)) {
                    failed(topic);
                }
                throw e;
            }
        }

        @Override
        public T deserialize(String topic, Headers headers, byte[] data) {
            try {
                return delegate.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                if (!SchemaRegistryException.isTransient(e)) {
                    failed(topic);
                }
                throw e;
            }
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
