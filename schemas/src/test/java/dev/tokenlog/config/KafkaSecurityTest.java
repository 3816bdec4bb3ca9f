package dev.tokenlog.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** The kafka.* security settings: read from configuration, applied to every client kind, secrets hidden. */
class KafkaSecurityTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"worker\" password=\"p4ssw0rd\";";
    private static final Map<String, String> CONFIG = Map.of(
            "kafka.bootstrap.servers", "127.0.0.1:1",
            "kafka.security.protocol", "SASL_SSL",
            "kafka.sasl.mechanism", "SCRAM-SHA-512",
            "kafka.sasl.jaas.config", JAAS,
            "kafka.ssl.truststore.location", "/nonexistent/truststore.p12",
            "kafka.ssl.truststore.password", "st0re",
            "kafka.acks", "0",
            "tokenlog.registry.url", "http://127.0.0.1:1");

    @Test
    void takesOnlyTheSecurityKeysOfTheKafkaNamespace() {
        KafkaSecurity security = KafkaSecurity.from(key -> Optional.ofNullable(CONFIG.get(key)));
        assertThat(security.clientProperties()).containsOnlyKeys("security.protocol", "sasl.mechanism",
                "sasl.jaas.config", "ssl.truststore.location", "ssl.truststore.password");
        assertThat(security.protocol()).isEqualTo("SASL_SSL");
        assertThat(KafkaSecurity.from(key -> Optional.empty()).protocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void neverShowsASecret() {
        KafkaSecurity security = KafkaSecurity.from(key -> Optional.ofNullable(CONFIG.get(key)));
        assertThat(security.toString()).contains("SASL_SSL", "SCRAM-SHA-512", "sasl.jaas.config=***")
                .doesNotContain("p4ssw0rd").doesNotContain("st0re");
    }

    @Test
    void rejectsKeysThatAreNoSecuritySetting() {
        assertThatThrownBy(() -> new KafkaSecurity(Map.of("acks", "0")))
                .hasMessageContaining("kafka.acks").hasMessageContaining("security.protocol");
    }

    /**
     * Every client kind gets the settings: each one here tries to load the configured (missing) trust
     * store, which only a client configured for SSL does; a client built from bootstrap.servers alone
     * (the old KafkaClients) would be created without complaint.
     */
    @Test
    void everyClientKindIsBuiltWithTheSecuritySettings() {
        KafkaClients clients = KafkaClients.fromConfig(key -> Optional.ofNullable(CONFIG.get(key)));
        assertThat(clients.security().protocol()).isEqualTo("SASL_SSL");
        assertThatThrownBy(() -> clients.producer("p").close()).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining("/nonexistent/truststore.p12");
        assertThatThrownBy(() -> clients.consumer(null, "c").close()).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining("/nonexistent/truststore.p12");
        assertThatThrownBy(() -> clients.admin("a").close()).isInstanceOf(KafkaException.class)
                .rootCause().hasMessageContaining("/nonexistent/truststore.p12");
    }

    @Test
    void plaintextClientsStillWorkWithoutSettings() {
        KafkaClients clients = new KafkaClients("127.0.0.1:1", Map.of("tokenlog.registry.url", "http://127.0.0.1:1"));
        try (KafkaProducer<String, byte[]> p = clients.producer("p");
             KafkaConsumer<String, byte[]> c = clients.consumer(null, "c");
             Admin a = clients.admin("a")) {
            assertThat(clients.security()).isEqualTo(KafkaSecurity.NONE);
        }
    }
}
