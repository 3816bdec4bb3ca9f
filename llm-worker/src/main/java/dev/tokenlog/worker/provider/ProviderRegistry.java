package dev.tokenlog.worker.provider;

import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.anthropic.AnthropicProvider;
import dev.tokenlog.worker.provider.bedrock.BedrockProvider;
import dev.tokenlog.worker.provider.gemini.GeminiProvider;
import dev.tokenlog.worker.provider.mock.MockProvider;
import dev.tokenlog.worker.provider.ollama.OllamaProvider;
import dev.tokenlog.worker.provider.openai.OpenAiChatProvider;
import dev.tokenlog.worker.provider.openai.OpenAiResponsesProvider;
import dev.tokenlog.worker.provider.watsonx.WatsonxProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The configured provider entries by name, built at start-up so a bad entry fails the worker at once. */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class ProviderRegistry {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProviderRegistry.class);
    /** A configured entry: its adapter and its settings. */
    public record Configured(String name, Provider provider, ProvidersConfig.ProviderEntry entry) {}

    /** The values {@code tokenlog.providers.<name>.type} may take. */
    static final String KNOWN_TYPES = "mock, openai, openai-responses, anthropic, gemini, ollama, bedrock, watsonx";

    private final Map<String, Configured> providers = new TreeMap<>();

    public ProviderRegistry(ProvidersConfig config) {
        config.entries().forEach((name, entry) -> providers.put(name, new Configured(name, create(name, entry), entry)));
        LOG.infof("provider entries: %s", String.join(", ", providers.values().stream()
                .map(c -> c.name() + " (" + c.entry().type() + (c.entry().baseUrl().map(u -> " " + u).orElse("")) + ")")
                .toList()));
    }

    /** The provider entry called {@code name}, if configured. */
    public Optional<Configured> find(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    /** Names of all configured entries. */
    public java.util.Set<String> entryNames() {
        return java.util.Collections.unmodifiableSet(providers.keySet());
    }

    /** Names of all configured entries, for error messages. */
    public String names() {
        return String.join(", ", providers.keySet());
    }

    private static Provider create(String name, ProvidersConfig.ProviderEntry entry) {
        return switch (entry.type()) {
            case "mock" -> new MockProvider(entry.mock());
            case "openai" -> new OpenAiChatProvider(ProviderSettings.of(name, entry));
            case "openai-responses" -> new OpenAiResponsesProvider(ProviderSettings.of(name, entry));
            case "anthropic" -> new AnthropicProvider(ProviderSettings.of(name, entry));
            case "gemini" -> new GeminiProvider(ProviderSettings.of(name, entry));
            case "ollama" -> new OllamaProvider(ProviderSettings.of(name, entry));
            case "bedrock" -> new BedrockProvider(ProviderSettings.of(name, entry));
            case "watsonx" -> new WatsonxProvider(ProviderSettings.of(name, entry));
            default -> throw new IllegalStateException("tokenlog.providers." + name + ".type='" + entry.type()
                    + "' is not a known provider type; known: " + KNOWN_TYPES);
        };
    }
}
