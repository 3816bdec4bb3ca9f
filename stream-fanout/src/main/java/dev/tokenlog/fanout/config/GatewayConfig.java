package dev.tokenlog.fanout.config;

import io.quarkus.runtime.configuration.MemorySize;
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
     * Chunks pending for one subscriber: queued by the live tail, or written but still in its
     * connection's write queue; a subscriber that falls further behind is closed and resumes by event id.
     */
    @WithDefault("1000")
    int subscriberBuffer();

    /**
     * How long a write to a subscriber may take (in the live phase: how long its connection's write queue
     * may stay full) before it is closed as too slow (it resumes by id).
     */
    @WithDefault("30s")
    Duration writeTimeout();

    /**
     * HMAC secret for stream tokens; set the same value on every gateway instance. Required, and at least
     * 32 bytes, when {@code tokenlog.auth.enabled} is true (e.g. {@code openssl rand -base64 48}); without
     * it and with auth off, each instance uses a random one.
     */
    Optional<String> tokenSecret();

    /** How long a stream token (read or cancel) stays valid. */
    @WithDefault("1h")
    Duration tokenTtl();

    /**
     * Clock difference tolerated between the machines of gateways and workers. A stream's first chunk
     * is found by timestamp from its request's UUIDv7 time minus this (chunks are stamped by the
     * worker's clock); the live tail vouches for where a stream begins only if its request is younger
     * than the tail by more than this (the request may come from another gateway's clock). An id whose
     * time lies further ahead than this was made up: it is answered 404 at once.
     */
    @WithDefault("60s")
    Duration clockSkew();

    /**
     * Heap for the chunk records the live tail keeps after dispatching them (split over the partitions
     * of {@code llm.chunks}): a new subscriber whose history lies in this window, such as one that joins
     * a young stream or resumes shortly after a disconnect, copies it from memory instead of reading the
     * log. At 20,000 chunks/s of about 300 bytes each, 64 MiB hold the last 10 s.
     */
    @WithDefault("64M")
    MemorySize recentWindow();

    /** A request id younger than this with no record yet is reported PENDING rather than 404. */
    @WithDefault("60s")
    Duration pendingGrace();

    /**
     * How long a subscriber whose history must be read from the log waits for one of the pooled history
     * consumers before it is answered 503 with {@code Retry-After} (it reconnects later); a short wait, so
     * that slow catch-ups never queue up behind each other.
     */
    @WithDefault("2s")
    Duration historyWait();

    /**
     * How many of the gateway's 16 history consumers one tenant (an API key's tenant; with auth off, a
     * client address) holds at once: its further catch-ups wait for its own, within the history wait, so
     * a burst of them from one tenant never delays another tenant's resume.
     */
    @WithDefault("4")
    int historyReadersPerTenant();

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
