package dev.tokenlog.fanout.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * API keys of the gateway. Off by default (the local run): anyone may create and read streams.
 * When on, every call needs a key ({@code Authorization: Bearer <key>} or {@code X-API-Key}); the
 * key's tenant becomes the owner of the streams it creates, and only the owner (or the holder of a
 * stream's token) can read or cancel a stream.
 */
@ConfigMapping(prefix = "tokenlog.auth")
public interface AuthConfig {

    /** Whether API keys are required. */
    @WithDefault("false")
    boolean enabled();

    /**
     * The keys, as {@code <tenant>:<key>} entries (comma-separated in one environment variable,
     * {@code TOKENLOG_AUTH_KEYS}); a tenant may have several keys.
     */
    Optional<List<String>> keys();
}
