package dev.tokenlog.worker;

import dev.tokenlog.config.KafkaClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** The worker's Kafka clients: one shared producer for chunks and dead letters, consumers on demand. */
@ApplicationScoped
public class WorkerKafka {
    private static final Logger LOG = Logger.getLogger(WorkerKafka.class);

    private final KafkaClients clients;
    private final KafkaProducer<String, byte[]> producer;

    public WorkerKafka(Config config) {
        this.clients = KafkaClients.fromConfig(k -> config.getOptionalValue(k, String.class));
        LOG.infof("Kafka clients for %s (%s)", clients.bootstrapServers(), clients.security());
        this.producer = clients.producer("tokenlog-worker");
    }

    public Producer<String, byte[]> producer() {
        return producer;
    }

    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId) {
        return clients.consumer(groupId, clientId);
    }

    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, java.util.Map<String, Object> overrides) {
        return clients.consumer(groupId, clientId, overrides);
    }

    public <T extends SpecificRecord> Serializer<T> serializer(Class<T> type) {
        return clients.serializer(type);
    }

    public <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        return clients.deserializer(type);
    }

    public java.util.Map<String, Object> serdeConfig() {
        return clients.serdeConfig();
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
