package dev.tokenlog.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The security settings every Kafka client of an app shares (producers, consumers, admin clients;
 * Quarkus hands the same {@code kafka.*} keys to Kafka Streams): read once from the app's
 * configuration under {@value #PREFIX} (environment: {@code KAFKA_SECURITY_PROTOCOL},
 * {@code KAFKA_SASL_JAAS_CONFIG}, ...), applied by {@link KafkaClients} to every client it builds.
 *
 * <p>Only the keys in {@link #KEYS} are taken, so a stray {@code kafka.*} key never changes a
 * client's delivery settings. {@link #toString()} never shows a secret ({@link #SECRET_KEYS}).
 *
 * @param settings client property name (without the prefix) to value
 */
public record KafkaSecurity(Map<String, String> settings) {
    /** Configuration namespace of the Kafka client settings. */
    public static final String PREFIX = "kafka.";

    /** The client security settings taken from {@value #PREFIX}{@code <key>}, as Kafka names them. */
    public static final List<String> KEYS = List.of(
            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
            SaslConfigs.SASL_MECHANISM,
            SaslConfigs.SASL_JAAS_CONFIG,
            SaslConfigs.SASL_CLIENT_CALLBACK_HANDLER_CLASS,
            SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
            SaslConfigs.SASL_KERBEROS_SERVICE_NAME,
            SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL,
            SslConfigs.SSL_PROTOCOL_CONFIG,
            SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG,
            SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
            SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
            SslConfigs.SSL_KEYSTORE_KEY_CONFIG,
            SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG,
            SslConfigs.SSL_KEY_PASSWORD_CONFIG,
            SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG);

    /** Keys whose values are secrets: never logged, never in a message. */
    public static final Set<String> SECRET_KEYS = Set.of(
            SaslConfigs.SASL_JAAS_CONFIG,
            SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            SslConfigs.SSL_KEYSTORE_KEY_CONFIG,
            SslConfigs.SSL_KEY_PASSWORD_CONFIG);

    /** Plaintext, no settings: what a client gets when nothing is configured. */
    public static final KafkaSecurity NONE = new KafkaSecurity(Map.of());

    public KafkaSecurity {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("not a Kafka client security setting: " + PREFIX + key
                        + "; the supported ones are " + KEYS);
            }
        }
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * The settings from a lookup such as {@code k -> config.getOptionalValue(k, String.class)}, asked for
     * {@value #PREFIX}{@code <key>} of every key in {@link #KEYS}; blank values count as unset.
     */
    public static KafkaSecurity from(Function<String, Optional<String>> lookup) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : KEYS) {
            lookup.apply(PREFIX + key).map(String::strip).filter(v -> !v.isEmpty()).ifPresent(v -> out.put(key, v));
        }
        return new KafkaSecurity(out);
    }

    /** The settings as client properties, to put into a client's configuration. */
    public Map<String, Object> clientProperties() {
        return Map.copyOf(settings);
    }

    /** {@code security.protocol}, PLAINTEXT when unset. */
    public String protocol() {
        return settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    }

    /** The settings with every secret shown as {@code ***}, safe to log. */
    @Override
    public String toString() {
        return settings.entrySet().stream()
                .map(e -> e.getKey() + "=" + (SECRET_KEYS.contains(e.getKey()) ? "***" : e.getValue()))
                .collect(Collectors.joining(", ", "KafkaSecurity[", "]"));
    }
}
