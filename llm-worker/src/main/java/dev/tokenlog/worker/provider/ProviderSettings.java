package dev.tokenlog.worker.provider;

import dev.tokenlog.worker.config.ProvidersConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an HTTP adapter needs of its provider entry, as a plain value (tests build it directly).
 * {@code baseUrl} means what the provider's official SDK calls its base URL; the adapter appends
 * its endpoint path.
 */
public record ProviderSettings(String name, String baseUrl, Optional<String> apiKey, Duration connectTimeout,
                               Map<String, String> headers, Map<String, String> options) {

    public static ProviderSettings of(String name, ProvidersConfig.ProviderEntry entry) {
        return new ProviderSettings(name, entry.baseUrl().orElse(""), entry.apiKey(), entry.connectTimeout(),
                Map.copyOf(entry.headers()), Map.copyOf(entry.options()));
    }

    /** {@link #baseUrl} without a trailing slash, with {@code path} appended. */
    public String url(String path) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return base + path;
    }

    /** A type-specific option or its default. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /** These settings, with {@code fallback} as base URL when none is configured. */
    public ProviderSettings withDefaultBaseUrl(String fallback) {
        return baseUrl.isBlank() ? new ProviderSettings(name, fallback, apiKey, connectTimeout, headers, options) : this;
    }

    /**
     * A positive integer option, or empty when unset.
     *
     * @throws IllegalArgumentException when set to anything else, so a bad entry fails at start-up
     */
    public OptionalInt positiveIntOption(String key) {
        String value = options.get(key);
        if (value == null || value.isBlank()) {
            return OptionalInt.empty();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return OptionalInt.of(n);
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new IllegalArgumentException("tokenlog.providers." + name + ".options." + key
                + " must be a positive integer, got '" + value + "'");
    }

    @Override
    public String toString() {
        return "ProviderSettings[" + name + " " + baseUrl + (apiKey.isPresent() ? " key=***" : "") + "]";
    }
}
