package dev.tokenlog.worker.provider;

import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.mock.MockProvider;
import dev.tokenlog.worker.provider.openai.OpenAiChatProvider;
import dev.tokenlog.worker.provider.openai.OpenAiResponsesProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The configured provider entries by name, built once at start-up. */
@ApplicationScoped
public class ProviderRegistry {
    /** A configured entry: its adapter and its settings. */
    public record Configured(String name, Provider provider, ProvidersConfig.ProviderEntry entry) {}

    private final Map<String, Configured> providers = new TreeMap<>();

    public ProviderRegistry(ProvidersConfig config) {
        config.entries().forEach((name, entry) -> providers.put(name, new Configured(name, create(name, entry), entry)));
    }

    /** The provider entry called {@code name}, if configured. */
    public Optional<Configured> find(String name) {
        return Optional.ofNullable(providers.get(name));
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
            default -> throw new IllegalStateException("tokenlog.providers." + name + ".type='" + entry.type()
                    + "' is not a known provider type; known: mock, openai, openai-responses");
        };
    }
}
