package dev.tokenlog.schemas.limits;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The values {@link RequestLimits} checks against, read from {@link LimitsConfig} ({@code tokenlog.limits.*}).
 *
 * @param maxFallbacks         most targets after the first
 * @param modelMaxLength       longest model name
 * @param metadataMaxKeys      most metadata entries
 * @param metadataMaxBytes     most metadata bytes (keys and values, UTF-8)
 * @param metadataMaxKeyLength longest metadata key
 * @param maxTimeout           highest timeout or delay a request may ask for in metadata
 * @param providerMaxTokens    the configured providers, each with its {@code max_tokens} cap
 * @param modelMaxTokens       caps of single models, by {@code <provider>/<model>}
 */
public record LimitSettings(int maxFallbacks, int modelMaxLength, int metadataMaxKeys, int metadataMaxBytes,
                            int metadataMaxKeyLength, Duration maxTimeout, Map<String, Integer> providerMaxTokens,
                            Map<String, Integer> modelMaxTokens) {

    /** Refuses a setting that would let nothing (or everything) through, naming it. */
    public LimitSettings {
        atLeast("max-fallbacks", maxFallbacks, 0);
        atLeast("model-max-length", modelMaxLength, 1);
        atLeast("metadata-max-keys", metadataMaxKeys, 0);
        atLeast("metadata-max-bytes", metadataMaxBytes, 0);
        atLeast("metadata-max-key-length", metadataMaxKeyLength, 1);
        Objects.requireNonNull(maxTimeout, "maxTimeout");
        if (maxTimeout.isNegative() || maxTimeout.isZero()) {
            throw new IllegalArgumentException(LimitsConfig.PREFIX + "max-timeout must be positive, got " + maxTimeout);
        }
        providerMaxTokens.forEach((p, cap) -> atLeast("providers." + p + ".max-tokens", cap, 1));
        modelMaxTokens.forEach((m, cap) -> atLeast("models.\"" + m + "\".max-tokens", cap, 1));
        providerMaxTokens = Collections.unmodifiableMap(new TreeMap<>(providerMaxTokens)); // sorted for messages
        modelMaxTokens = Map.copyOf(modelMaxTokens);
    }

    /** The defaults of {@link LimitsConfig} with these providers' caps (for tests and tools without a config). */
    public static LimitSettings defaults(Map<String, Integer> providerMaxTokens) {
        return new LimitSettings(Integer.parseInt(LimitsConfig.MAX_FALLBACKS), Integer.parseInt(LimitsConfig.MODEL_MAX_LENGTH),
                Integer.parseInt(LimitsConfig.METADATA_MAX_KEYS), Integer.parseInt(LimitsConfig.METADATA_MAX_BYTES),
                Integer.parseInt(LimitsConfig.METADATA_MAX_KEY_LENGTH), Duration.ofMinutes(10), providerMaxTokens, Map.of());
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(LimitsConfig.PREFIX + name + " must be at least " + min + ", got " + value);
        }
    }
}
