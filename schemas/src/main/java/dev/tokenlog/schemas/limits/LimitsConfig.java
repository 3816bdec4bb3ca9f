package dev.tokenlog.schemas.limits;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The request limits, {@code tokenlog.limits.*}, the same in the gateway and the worker: each app
 * declares {@code @ConfigMapping(prefix = "tokenlog.limits") interface … extends LimitsConfig {}}, so the
 * names and defaults live here once. See docs/OPERATIONS.md.
 */
public interface LimitsConfig {
    String PREFIX = "tokenlog.limits.";
    /** The development provider; configured only with {@code tokenlog.mock.enabled=true}. */
    String MOCK = "mock";

    String MAX_FALLBACKS = "5";
    String MODEL_MAX_LENGTH = "128";
    String METADATA_MAX_KEYS = "32";
    String METADATA_MAX_BYTES = "8192";
    String METADATA_MAX_KEY_LENGTH = "64";
    String MAX_TIMEOUT = "10m";
    String DEFAULT_MAX_TOKENS = "32768";
    String MOCK_MAX_TOKENS = "4096";
    String DEFAULT_PROVIDERS = "openai,anthropic,gemini,ollama,bedrock,watsonx";

    /** Most fallback targets after {@code model}. */
    @WithDefault(MAX_FALLBACKS)
    int maxFallbacks();

    /** Longest model name (without the provider). */
    @WithDefault(MODEL_MAX_LENGTH)
    int modelMaxLength();

    /** Most metadata entries. */
    @WithDefault(METADATA_MAX_KEYS)
    int metadataMaxKeys();

    /** Most bytes of metadata, keys and values in UTF-8. */
    @WithDefault(METADATA_MAX_BYTES)
    int metadataMaxBytes();

    /** Longest metadata key. */
    @WithDefault(METADATA_MAX_KEY_LENGTH)
    int metadataMaxKeyLength();

    /** Highest per-request timeout or mock delay in metadata ({@code timeout.*-ms}, {@code mock.ttft-ms}). */
    @WithDefault(MAX_TIMEOUT)
    Duration maxTimeout();

    /** {@code max_tokens} cap of a provider without its own {@code providers.<name>.max-tokens}. */
    @WithDefault(DEFAULT_MAX_TOKENS)
    int defaultMaxTokens();

    /** {@code max_tokens} cap of the mock provider without its own {@code providers.mock.max-tokens}. */
    @WithDefault(MOCK_MAX_TOKENS)
    int mockMaxTokens();

    /** Providers the gateway accepts without an entry under {@code providers}. */
    @WithDefault(DEFAULT_PROVIDERS)
    List<String> defaultProviders();

    /** Per provider: {@code tokenlog.limits.providers.<name>.max-tokens}; an entry also makes the gateway accept it. */
    Map<String, Cap> providers();

    /** Per model: {@code tokenlog.limits.models."<provider>/<model>".max-tokens}, above the provider's cap. */
    Map<String, Cap> models();

    /** A {@code max_tokens} cap. */
    interface Cap {
        int maxTokens();
    }

    /**
     * The providers the gateway knows of: the default ones, those with an entry, and the mock (which
     * {@link #settings} keeps only when enabled). A worker knows its own provider entries instead.
     */
    default Set<String> gatewayProviders() {
        Set<String> names = new TreeSet<>(defaultProviders());
        names.addAll(providers().keySet());
        names.add(MOCK);
        return names;
    }

    /** These settings for the {@code configured} provider names; the mock counts only when enabled. */
    default LimitSettings settings(Collection<String> configured, boolean mockEnabled) {
        Map<String, Integer> caps = new TreeMap<>();
        for (String name : configured) {
            if (!name.equals(MOCK) || mockEnabled) {
                Cap own = providers().get(name);
                caps.put(name, own != null ? own.maxTokens() : name.equals(MOCK) ? mockMaxTokens() : defaultMaxTokens());
            }
        }
        Map<String, Integer> models = new TreeMap<>();
        models().forEach((target, cap) -> models.put(target, cap.maxTokens()));
        return new LimitSettings(maxFallbacks(), modelMaxLength(), metadataMaxKeys(), metadataMaxBytes(),
                metadataMaxKeyLength(), maxTimeout(), caps, models);
    }
}
