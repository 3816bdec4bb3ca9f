package dev.tokenlog.fanout.api;

import dev.tokenlog.schemas.limits.LimitSettings;
import dev.tokenlog.schemas.limits.RequestLimits;
import java.util.Map;

/** The default request limits with the mock enabled, as the gateway under test has them. */
public final class TestLimits {
    public static final RequestLimits DEFAULTS = new RequestLimits(LimitSettings.defaults(Map.of(
            "mock", 4096, "openai", 32768, "anthropic", 32768, "gemini", 32768, "ollama", 32768, "bedrock", 32768,
            "watsonx", 32768)));

    private TestLimits() {}
}
