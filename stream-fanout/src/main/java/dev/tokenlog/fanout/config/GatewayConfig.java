package dev.tokenlog.fanout.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Gateway behaviour: SSE pacing, stream tokens, and how far back a stream start is searched. */
@ConfigMapping(prefix = "tokenlog.gateway")
public interface GatewayConfig {

    /** Comment sent on an idle SSE connection so proxies keep it open. */
    @WithDefault("15s")
    Duration heartbeat();

    /** Reconnect delay suggested to SSE clients ({@code retry:} field). */
    @WithDefault("2s")
    Duration retry();

    /**
     * Chunks the live tail buffers for one subscriber that has not written them yet; a subscriber
     * that falls further behind is closed and resumes by event id.
     */
    @WithDefault("1000")
    int subscriberBuffer();

    /** How long a write to a subscriber may take before it is closed as too slow (it resumes by id). */
    @WithDefault("30s")
    Duration writeTimeout();

    /** HMAC secret for stream tokens; set the same value on every gateway instance. */
    Optional<String> tokenSecret();

    /** How long a stream token stays valid. */
    @WithDefault("24h")
    Duration tokenTtl();

    /**
     * Clock difference tolerated between gateway and workers when a stream's first chunk is found by
     * timestamp (chunks are produced after the request's UUIDv7 time, up to this skew).
     */
    @WithDefault("60s")
    Duration clockSkew();

    /** A request id younger than this with no record yet is reported PENDING rather than 404. */
    @WithDefault("60s")
    Duration pendingGrace();

    /**
     * Model names {@code POST /v1/chat/completions} accepts besides {@code <provider>/<model>}, so OpenAI
     * clients keep their model names: {@code tokenlog.gateway.aliases."gpt-4o"=openai/gpt-4o}. Names match
     * ignoring case, {@code -}, {@code .} and {@code _}, so the environment variable
     * {@code TOKENLOG_GATEWAY_ALIASES_GPT_4O=openai/gpt-4o} defines the same alias.
     */
    Map<String, String> aliases();

    /** How long {@code POST /v1/chat/completions} with {@code stream: false} waits for the final answer. */
    @WithDefault("10m")
    Duration completionTimeout();
}
