package dev.tokenlog.fanout;

import dev.tokenlog.config.KafkaClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** The gateway's Kafka clients: one producer for requests and commands, consumers per subscriber. */
@ApplicationScoped
public class FanoutKafka {
    private static final Logger LOG = Logger.getLogger(FanoutKafka.class);

    private final KafkaClients clients;
    private final KafkaProducer<String, byte[]> producer;

    public FanoutKafka(Config config) {
        this.clients = KafkaClients.fromConfig(k -> config.getOptionalValue(k, String.class));
        LOG.infof("Kafka clients for %s (%s)", clients.bootstrapServers(), clients.security());
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
