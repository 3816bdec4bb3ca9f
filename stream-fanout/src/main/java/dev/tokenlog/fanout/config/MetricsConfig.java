package dev.tokenlog.fanout.config;

import dev.tokenlog.fanout.metrics.ThroughputSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The throughput windows written to {@code llm.metrics} and served by {@code GET /v1/metrics/throughput}. */
@ConfigMapping(prefix = "tokenlog.metrics")
public interface MetricsConfig {

    /** Length of each tumbling window. */
    @WithDefault("1m")
    Duration window();

    /** How long after its end a window still counts late events; it is written to llm.metrics after that. */
    @WithDefault("10s")
    Duration grace();

    /** How long windows stay queryable on this instance. */
    @WithDefault("24h")
    Duration retention();

    /**
     * These values as the windows' settings; requests without a terminal are forgotten when the fold
     * abandons them.
     */
    default ThroughputSettings settings(FoldConfig fold) {
        return new ThroughputSettings(window(), grace(), retention(), fold.abandonAfter(), fold.punctuateEvery());
    }
}
