package dev.tokenlog.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Worker behaviour: consumer group, in-flight limit and shutdown drain. */
@ConfigMapping(prefix = "tokenlog.worker")
public interface WorkerConfig {

    /** Consumer group shared by all workers; Kafka spreads request partitions over them. */
    @WithDefault("tokenlog-workers")
    String groupId();

    /** Streams running at once; at the limit the worker pauses its request partitions. */
    @WithDefault("2000")
    int maxInFlight();

    /** How long graceful shutdown lets in-flight streams finish before giving up. */
    @WithDefault("30s")
    Duration drainTimeout();

    /**
     * Clock difference tolerated between gateway and workers when the chunk log is searched by time
     * for the terminal of a redelivered request.
     */
    @WithDefault("60s")
    Duration clockSkew();

    /**
     * How long the group waits for a silent worker before its requests move to another worker (and
     * are re-run as new attempts). Kafka's 45 s default is long for a user watching a stream.
     */
    @WithDefault("10s")
    Duration sessionTimeout();

    /**
     * At most one text chunk per stream per this window: a delta after a quiet window goes out at once,
     * deltas that follow within it are merged and go out when it runs out (fewer records for fast
     * models, no added latency for slow ones). 0 (the default) publishes every delta as it comes.
     * {@code tokenlog.providers.<name>.coalesce-window} overrides it per entry.
     */
    @WithDefault("0ms")
    Duration coalesceWindow();

    /** How often committable request offsets are committed. */
    @WithDefault("500ms")
    Duration commitInterval();
}
