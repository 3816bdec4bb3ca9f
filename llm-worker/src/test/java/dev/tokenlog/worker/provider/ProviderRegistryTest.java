package dev.tokenlog.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.bedrock.BedrockProvider;
import dev.tokenlog.worker.provider.watsonx.WatsonxProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Entries are built by type at start-up; an unknown type fails naming the known ones. */
class ProviderRegistryTest {

    /** One configured entry, as the config mapping would produce it. */
    record Entry(String type, Optional<String> apiKey, Map<String, String> options) implements ProvidersConfig.ProviderEntry {
        @Override
        public Optional<String> baseUrl() {
            return Optional.empty();
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        public Duration firstTokenTimeout() {
            return Duration.ofSeconds(60);
        }

        @Override
        public Duration idleTimeout() {
            return Duration.ofSeconds(60);
        }

        @Override
        public int maxRetries() {
            return 0;
        }

        @Override
        public Duration retryBackoff() {
            return Duration.ofMillis(250);
        }

        @Override
        public Duration retryBackoffMax() {
            return Duration.ofSeconds(10);
        }

        @Override
        public Map<String, String> headers() {
            return Map.of();
        }

        @Override
        public ProvidersConfig.Mock mock() {
            return null;
        }
    }

    @Test
    void buildsBedrockAndWatsonxEntriesByType() {
        ProviderRegistry registry = new ProviderRegistry(() -> Map.of(
                "aws", new Entry("bedrock", Optional.empty(), Map.of("region", "eu-central-1")),
                "ibm", new Entry("watsonx", Optional.of("ibm-cloud-key"), Map.of("project-id", "p-1"))));
        assertThat(registry.find("aws")).get().extracting(ProviderRegistry.Configured::provider)
                .isInstanceOf(BedrockProvider.class);
        assertThat(registry.find("ibm")).get().extracting(ProviderRegistry.Configured::provider)
                .isInstanceOf(WatsonxProvider.class);
    }

    @Test
    void anUnknownTypeFailsNamingTheKnownOnes() {
        assertThatThrownBy(() -> new ProviderRegistry(() -> Map.of("x", new Entry("azure-foundry", Optional.empty(), Map.of()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tokenlog.providers.x.type").hasMessageContaining("bedrock, watsonx");
    }
}
