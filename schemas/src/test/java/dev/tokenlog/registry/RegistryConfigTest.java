package dev.tokenlog.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void readsDefaultsFromKafkaConfigs() {
        RegistryConfig config = RegistryConfig.from(Map.of("tokenlog.registry.url", "http://reg:8080/apis/ccompat/v7/"));

        assertThat(config.url()).isEqualTo("http://reg:8080/apis/ccompat/v7");
        assertThat(config.autoRegister()).isTrue();
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(config.basicAuth()).isEmpty();
        assertThat(config.bearerToken()).isEmpty();
    }

    @Test
    void readsEveryKeyWhateverTheValueType() {
        RegistryConfig config = RegistryConfig.from(Map.of(
                "tokenlog.registry.url", "https://reg",
                "tokenlog.registry.auto-register", false,
                "tokenlog.registry.timeout-ms", 1500,
                "tokenlog.registry.bearer-token", "tok"));

        assertThat(config.autoRegister()).isFalse();
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.bearerToken()).contains("tok");
    }

    @Test
    void missingUrlSaysWhichKeyToSet() {
        assertThatThrownBy(() -> RegistryConfig.from(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Missing tokenlog.registry.url")
                .hasMessageContaining("/apis/ccompat/v7");
    }

    @Test
    void rejectsMalformedValuesWithoutEchoingSecrets() {
        assertThatThrownBy(() -> RegistryConfig.from(Map.of("tokenlog.registry.url", "ftp://reg")))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> RegistryConfig.from(Map.of("tokenlog.registry.url", "http://reg",
                "tokenlog.registry.auto-register", "yes")))
                .hasMessageContaining("tokenlog.registry.auto-register must be true or false");
        assertThatThrownBy(() -> RegistryConfig.from(Map.of("tokenlog.registry.url", "http://reg",
                "tokenlog.registry.timeout-ms", "soon")))
                .hasMessageContaining("tokenlog.registry.timeout-ms must be a number");
        assertThatThrownBy(() -> RegistryConfig.from(Map.of("tokenlog.registry.url", "http://reg",
                "tokenlog.registry.basic-auth", "s3cretWithoutColon")))
                .hasMessageContaining("user:password")
                .message().doesNotContain("s3cretWithoutColon");
        assertThatThrownBy(() -> RegistryConfig.from(Map.of("tokenlog.registry.url", "http://reg",
                "tokenlog.registry.basic-auth", "u:p", "tokenlog.registry.bearer-token", "t")))
                .hasMessageContaining("only one of");
    }

    @Test
    void toStringNeverShowsSecrets() {
        RegistryConfig basic = new RegistryConfig("http://alice:urlpass@reg", Optional.of("alice:s3cret"),
                Optional.empty(), Duration.ofSeconds(1), true);
        RegistryConfig bearer = new RegistryConfig("http://reg", Optional.empty(), Optional.of("tok3n"),
                Duration.ofSeconds(1), true);

        assertThat(basic.toString()).contains("alice").doesNotContain("s3cret").doesNotContain("urlpass");
        assertThat(bearer.toString()).contains("bearer(***)").doesNotContain("tok3n");
        assertThat(basic.redactedUrl()).isEqualTo("http://***@reg");
    }
}
