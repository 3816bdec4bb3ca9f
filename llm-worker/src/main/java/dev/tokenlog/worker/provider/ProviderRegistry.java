package dev.tokenlog.worker.provider;

import dev.tokenlog.worker.config.MockConfig;
import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.anthropic.AnthropicProvider;
import dev.tokenlog.worker.provider.bedrock.BedrockProvider;
import dev.tokenlog.worker.provider.gemini.GeminiProvider;
import dev.tokenlog.worker.provider.mock.MockProvider;
import dev.tokenlog.worker.provider.ollama.OllamaProvider;
import dev.tokenlog.worker.provider.openai.OpenAiChatProvider;
import dev.tokenlog.worker.provider.openai.OpenAiResponsesProvider;
import dev.tokenlog.worker.provider.watsonx.WatsonxProvider;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configured provider entries by name, built at start-up so a bad entry fails the worker at once.
 * Entries of type {@code mock} exist only with {@code tokenlog.mock.enabled=true}; otherwise a request
 * for one fails like a request for any unconfigured entry.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class ProviderRegistry {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ProviderRegistry.class);
    /** A configured entry: its adapter and its settings. */
    public record Configured(String name, Provider provider, ProvidersConfig.ProviderEntry entry) {}

    /** The values {@code tokenlog.providers.<name>.type} may take. */
    static final String KNOWN_TYPES = "mock, openai, openai-responses, anthropic, gemini, ollama, bedrock, watsonx";

    private final Map<String, Configured> providers = new TreeMap<>();
    /** Entries of type mock left out because the mock is disabled. */
    private final TreeSet<String> disabledMocks = new TreeSet<>();

    public ProviderRegistry(ProvidersConfig config, MockConfig mock, @All List<ProviderType> extraTypes) {
        config.entries().forEach((name, entry) -> {
            if ("mock".equals(entry.type()) && !mock.enabled()) {
                disabledMocks.add(name);
            } else {
                providers.put(name, new Configured(name, create(name, entry, extraTypes), entry));
            }
        });
        LOG.infof("provider entries: %s", String.join(", ", providers.values().stream()
                .map(c -> c.name() + " (" + c.entry().type() + (c.entry().baseUrl().map(u -> " " + u).orElse("")) + ")")
                .toList()));
        if (!disabledMocks.isEmpty()) {
            LOG.infof("mock entries %s are off: the mock is a development provider; set TOKENLOG_MOCK_ENABLED=true"
                    + " (tokenlog.mock.enabled) to use it", disabledMocks);
        }
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

    /** Why a request for entry {@code name}, which {@link #find} does not know, cannot run, and what to use instead. */
    public String notConfigured(String name) {
        if (disabledMocks.contains(name)) {
            return "provider entry '" + name + "' is the development mock, which is disabled on this worker"
                    + " (tokenlog.mock.enabled=false); configured: " + names();
        }
        return "no provider entry '" + name + "' is configured on this worker; configured: " + names();
    }

    private static Provider create(String name, ProvidersConfig.ProviderEntry entry, List<ProviderType> extraTypes) {
        return switch (entry.type()) {
            case "mock" -> new MockProvider(entry.mock());
            case "openai" -> new OpenAiChatProvider(ProviderSettings.of(name, entry));
            case "openai-responses" -> new OpenAiResponsesProvider(ProviderSettings.of(name, entry));
            case "anthropic" -> new AnthropicProvider(ProviderSettings.of(name, entry));
            case "gemini" -> new GeminiProvider(ProviderSettings.of(name, entry));
            case "ollama" -> new OllamaProvider(ProviderSettings.of(name, entry));
            case "bedrock" -> new BedrockProvider(ProviderSettings.of(name, entry));
            case "watsonx" -> new WatsonxProvider(ProviderSettings.of(name, entry));
            default -> extraTypes.stream().filter(t -> t.type().equals(entry.type())).findFirst()
                    .map(t -> t.create(name, entry))
                    .orElseThrow(() -> new IllegalStateException("tokenlog.providers." + name + ".type='" + entry.type()
                            + "' is not a known provider type; known: " + KNOWN_TYPES));
        };
    }
}
