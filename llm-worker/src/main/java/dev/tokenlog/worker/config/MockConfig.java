package dev.tokenlog.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The mock provider is a development provider (local runs, tests, benchmarks): off unless enabled.
 * The gateway reads the same setting, so both agree on whether {@code mock/...} models exist.
 */
@ConfigMapping(prefix = "tokenlog.mock")
public interface MockConfig {

    /** Whether provider entries of type {@code mock} are available (env {@code TOKENLOG_MOCK_ENABLED}). */
    @WithDefault("false")
    boolean enabled();
}
