package dev.tokenlog.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Collects the schema-registry settings ({@code tokenlog.registry.*}) from an application's
 * configuration into the map the serdes are configured with, so every app passes the same keys.
 */
public final class RegistrySettings {
    /** Keys the serdes understand; the apps read exactly these from their configuration. */
    public static final List<String> KEYS = List.of(
            "tokenlog.registry.url",
            "tokenlog.registry.auto-register",
            "tokenlog.registry.basic-auth",
            "tokenlog.registry.bearer-token",
            "tokenlog.registry.timeout-ms",
            "tokenlog.registry.ssl.truststore.location",
            "tokenlog.registry.ssl.truststore.password",
            "tokenlog.registry.ssl.truststore.type");

    private RegistrySettings() {}

    /** The serde configuration from a lookup such as {@code k -> config.getOptionalValue(k, String.class)}. */
    public static Map<String, Object> from(Function<String, Optional<String>> lookup) {
        Map<String, Object> out = new HashMap<>();
        for (String key : KEYS) {
            lookup.apply(key).ifPresent(value -> out.put(key, value));
        }
        return out;
    }
}
