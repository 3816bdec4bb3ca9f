package dev.tokenlog.fanout.config;

import dev.tokenlog.schemas.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Topic names; the defaults are the contract names in ARCHITECTURE.md. */
@ConfigMapping(prefix = "tokenlog.topics")
public interface TopicsConfig {
    @WithDefault(Topics.REQUESTS)
    String requests();

    @WithDefault(Topics.CHUNKS)
    String chunks();

    @WithDefault(Topics.ANSWERS)
    String answers();

    @WithDefault(Topics.CONTROL)
    String control();

    @WithDefault(Topics.METRICS)
    String metrics();

    @WithDefault(Topics.STREAM_INDEX)
    String streamIndex();
}
