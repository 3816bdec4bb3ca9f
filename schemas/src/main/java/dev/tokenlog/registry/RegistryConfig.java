package dev.tokenlog.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * How to reach the Confluent-compatible schema registry.
 *
 * <p>Secrets ({@link #basicAuth()} and {@link #bearerToken()}) are never part of {@link #toString()}
 * or of any error message.
 *
 * @param url          base URL of the Confluent-compatible API, e.g.
 *                     {@code http://localhost:8080/apis/ccompat/v7} (no trailing slash)
 * @param basicAuth    {@code user:password} for HTTP Basic authentication, if any
 * @param bearerToken  token for HTTP Bearer authentication, if any (exclusive with basicAuth)
 * @param timeout      connect and request timeout of every registry call
 * @param autoRegister whether serializers register missing schemas (true) or only look them up
 * @param tls          certificates an https URL is verified against; empty: the JVM's default trust store
 */
public record RegistryConfig(String url, Optional<String> basicAuth, Optional<String> bearerToken, Duration timeout,
        boolean autoRegister, Optional<RegistryTls> tls) {

    /** Base URL of the Confluent-compatible registry API (required). */
    public static final String URL = "tokenlog.registry.url";
    /** {@code true} (default) registers unknown schemas; {@code false} only looks them up. */
    public static final String AUTO_REGISTER = "tokenlog.registry.auto-register";
    /** {@code user:password} for HTTP Basic authentication. */
    public static final String BASIC_AUTH = "tokenlog.registry.basic-auth";
    /** Token for HTTP Bearer authentication. */
    public static final String BEARER_TOKEN = "tokenlog.registry.bearer-token";
    /** Connect and request timeout in milliseconds (default 5000). */
    public static final String TIMEOUT_MS = "tokenlog.registry.timeout-ms";

    static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(5000);

    /** Settings with the JVM's default trust store. */
    public RegistryConfig(String url, Optional<String> basicAuth, Optional<String> bearerToken, Duration timeout,
            boolean autoRegister) {
        this(url, basicAuth, bearerToken, timeout, autoRegister, Optional.empty());
    }

    /** Validates and normalises the settings; messages never contain secret values. */
    public RegistryConfig {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(basicAuth, "basicAuth");
        Objects.requireNonNull(bearerToken, "bearerToken");
        Objects.requireNonNull(timeout, "timeout");
        url = stripTrailingSlashes(url.strip());
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Schema registry URL (" + URL + ") is not a valid URL; expected e.g. "
                    + "http://localhost:8080/apis/ccompat/v7");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new ConfigException("Schema registry URL (" + URL + ") must start with http:// or https://, got '"
                    + redact(url) + "'");
        }
        if (basicAuth.isPresent() && bearerToken.isPresent()) {
            throw new ConfigException("Set only one of " + BASIC_AUTH + " and " + BEARER_TOKEN + ", not both");
        }
        if (basicAuth.isPresent() && basicAuth.get().indexOf(':') < 1) {
            throw new ConfigException(BASIC_AUTH + " must have the form user:password (value not shown)");
        }
        if (bearerToken.isPresent() && bearerToken.get().isBlank()) {
            throw new ConfigException(BEARER_TOKEN + " is set but blank; remove it or give the token");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigException(TIMEOUT_MS + " must be positive, got " + timeout.toMillis());
        }
    }

    /** A configuration with no authentication, the default timeout and auto-registration on. */
    public static RegistryConfig of(String url) {
        return new RegistryConfig(url, Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT, true);
    }

    /**
     * Reads the {@code tokenlog.registry.*} keys from Kafka client/serde configs.
     *
     * @throws ConfigException when the URL is missing or a value is malformed
     */
    public static RegistryConfig from(Map<String, ?> configs) {
        String url = string(configs, URL).orElseThrow(() -> new ConfigException(
                "Missing " + URL + ": set it to the Confluent-compatible schema registry API, e.g. "
                        + "http://localhost:8080/apis/ccompat/v7 for Apicurio Registry"));
        boolean autoRegister = string(configs, AUTO_REGISTER).map(v -> parseBoolean(AUTO_REGISTER, v)).orElse(true);
        Duration timeout = string(configs, TIMEOUT_MS).map(v -> parseMillis(TIMEOUT_MS, v)).orElse(DEFAULT_TIMEOUT);
        Optional<RegistryTls> tls = string(configs, RegistryTls.LOCATION).map(location -> new RegistryTls(
                java.nio.file.Path.of(location), string(configs, RegistryTls.PASSWORD),
                string(configs, RegistryTls.TYPE).orElse("PKCS12")));
        return new RegistryConfig(url, string(configs, BASIC_AUTH), string(configs, BEARER_TOKEN), timeout, autoRegister, tls);
    }

    /** Same settings with a different auto-register flag. */
    public RegistryConfig withAutoRegister(boolean value) {
        return new RegistryConfig(url, basicAuth, bearerToken, timeout, value, tls);
    }

    /** The URL with any user-info removed, safe to log. */
    public String redactedUrl() {
        return redact(url);
    }

    @Override
    public String toString() {
        String auth = basicAuth.isPresent() ? "basic(" + basicAuth.get().substring(0, basicAuth.get().indexOf(':')) + ":***)"
                : bearerToken.isPresent() ? "bearer(***)" : "none";
        return "RegistryConfig[url=" + redactedUrl() + ", auth=" + auth + ", timeout=" + timeout
                + ", autoRegister=" + autoRegister + tls.map(t -> ", tls=" + t).orElse("") + "]";
    }

    /** {@code url} without user-info ({@code http://user:pw@host} becomes {@code http://***@host}). */
    static String redact(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int slash = url.indexOf('/', scheme + 3);
        if (scheme < 0 || at < 0 || (slash >= 0 && at > slash)) {
            return url;
        }
        return url.substring(0, scheme + 3) + "***" + url.substring(at);
    }

    private static Optional<String> string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        return value == null || value.toString().isBlank() ? Optional.empty() : Optional.of(value.toString().strip());
    }

    private static boolean parseBoolean(String key, String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + " must be true or false, got '" + value + "'");
        };
    }

    private static Duration parseMillis(String key, String value) {
        try {
            return Duration.ofMillis(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number of milliseconds, got '" + value + "'");
        }
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }
}
