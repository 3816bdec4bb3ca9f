package dev.tokenlog.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.bedrock.BedrockProvider;
import dev.tokenlog.worker.provider.mock.MockProvider;
import dev.tokenlog.worker.provider.watsonx.WatsonxProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Entries are built by type at start-up; an unknown type fails naming the known ones; mock entries
 * exist only when the mock is enabled.
 */
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
        public Optional<Duration> coalesceWindow() {
            return Optional.empty();
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
                "ibm", new Entry("watsonx", Optional.of("ibm-cloud-key"), Map.of("project-id", "p-1"))), () -> false, List.of());
        assertThat(registry.find("aws")).get().extracting(ProviderRegistry.Configured::provider)
                .isInstanceOf(BedrockProvider.class);
        assertThat(registry.find("ibm")).get().extracting(ProviderRegistry.Configured::provider)
                .isInstanceOf(WatsonxProvider.class);
    }

    @Test
    void anUnknownTypeFailsNamingTheKnownOnes() {
        assertThatThrownBy(() -> new ProviderRegistry(() -> Map.of("x", new Entry("azure-foundry", Optional.empty(), Map.of())),
                () -> false, List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tokenlog.providers.x.type").hasMessageContaining("bedrock, watsonx");
    }

    @Test
    void mockEntriesAreOffUnlessTheMockIsEnabledAndARequestForOneIsToldWhy() {
        Map<String, ProvidersConfig.ProviderEntry> entries = Map.of(
                "mock", new Entry("mock", Optional.empty(), Map.of()),
                "ibm", new Entry("watsonx", Optional.of("ibm-cloud-key"), Map.of("project-id", "p-1")));

        ProviderRegistry off = new ProviderRegistry(() -> entries, () -> false, List.of());
        ProviderRegistry on = new ProviderRegistry(() -> entries, () -> true, List.of());

        assertThat(off.find("mock")).isEmpty();
        assertThat(off.names()).isEqualTo("ibm");
        assertThat(off.notConfigured("mock")).contains("development mock").contains("tokenlog.mock.enabled=false")
                .contains("configured: ibm");
        assertThat(off.notConfigured("nosuch")).isEqualTo("no provider entry 'nosuch' is configured on this worker; configured: ibm");
        assertThat(on.find("mock")).get().extracting(ProviderRegistry.Configured::provider).isInstanceOf(MockProvider.class);
    }

    @Test
    void aTypeContributedAsABeanBuildsItsEntries() {
        Provider contributed = (call, sink) -> { };
        ProviderType type = new ProviderType() {
            @Override
            public String type() {
                return "in-house";
            }

            @Override
            public Provider create(String name, ProvidersConfig.ProviderEntry entry) {
                return contributed;
            }
        };

        ProviderRegistry registry = new ProviderRegistry(() -> Map.of("x", new Entry("in-house", Optional.empty(), Map.of())),
                () -> false, List.of(type));

        assertThat(registry.find("x")).get().extracting(ProviderRegistry.Configured::provider).isSameAs(contributed);
    }
}
