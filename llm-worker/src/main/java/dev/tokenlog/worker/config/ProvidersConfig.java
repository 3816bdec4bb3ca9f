package dev.tokenlog.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Named provider entries: {@code tokenlog.providers.<name>.type}, {@code .base-url}, {@code .api-key}, ...
 * A request's model {@code <name>/<model>} picks the entry.
 */
@ConfigMapping(prefix = "tokenlog.providers")
public interface ProvidersConfig {

    /** Provider entries by name. */
    @WithParentName
    Map<String, ProviderEntry> entries();

    /** One provider entry. */
    interface ProviderEntry {
        /** Adapter type: mock, openai (Chat Completions and compatible servers), openai-responses, anthropic, gemini, ollama, bedrock or watsonx. */
        String type();

        /** Base URL as the provider's official SDK names it. */
        Optional<String> baseUrl();

        /** Secret; never logged, never written to Kafka. */
        Optional<String> apiKey();

        /** Time allowed to open the connection. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** Time allowed from sending the request to the first event. Per request: metadata {@code timeout.first-token-ms}. */
        @WithDefault("60s")
        Duration firstTokenTimeout();

        /** Time allowed between two events once output started; keep-alives do not count. Per request: {@code timeout.idle-ms}. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** Retries of one target before the first output chunk (then the next route target is tried). */
        @WithDefault("2")
        int maxRetries();

        /** First backoff before a retry; doubled each retry, with full jitter, at most {@link #retryBackoffMax()}. */
        @WithDefault("250ms")
        Duration retryBackoff();

        @WithDefault("10s")
        Duration retryBackoffMax();

        /** This entry's {@code tokenlog.worker.coalesce-window} (e.g. a fast model's: fewer chunks, each at most that late). */
        Optional<Duration> coalesceWindow();

        /** Extra HTTP headers sent with every call (e.g. an organisation id). */
        Map<String, String> headers();

        /** Type-specific settings (e.g. {@code api-version} for Azure, {@code region} for Bedrock). */
        Map<String, String> options();

        /** Settings of the mock provider (ignored by other types). */
        Mock mock();
    }

    /** Shape of the mock provider's stream; each can be overridden per request by metadata {@code mock.*}. */
    interface Mock {
        /** Tokens per second; 0 or less streams as fast as possible. */
        @WithDefault("20")
        double tps();

        /** Delay before the first token, in milliseconds. */
        @WithDefault("100")
        long ttftMs();

        /** Fail the stream after this many tokens; negative never fails. */
        @WithDefault("-1")
        int failAfter();
    }
}
