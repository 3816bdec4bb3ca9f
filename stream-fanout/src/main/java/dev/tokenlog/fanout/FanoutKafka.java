package dev.tokenlog.fanout;

import dev.tokenlog.config.KafkaClients;
import dev.tokenlog.config.RegistrySettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.config.Config;

/** The gateway's Kafka clients: one producer for requests and commands, consumers per subscriber. */
@ApplicationScoped
public class FanoutKafka {
    private final KafkaClients clients;
    private final KafkaProducer<String, byte[]> producer;

    public FanoutKafka(Config config) {
        this.clients = new KafkaClients(config.getValue("kafka.bootstrap.servers", String.class),
                RegistrySettings.from(k -> config.getOptionalValue(k, String.class)));
        this.producer = clients.producer("tokenlog-gateway");
    }

    public KafkaClients clients() {
        return clients;
    }

    public Producer<String, byte[]> producer() {
        return producer;
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
