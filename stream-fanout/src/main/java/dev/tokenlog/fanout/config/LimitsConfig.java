package dev.tokenlog.fanout.config;

import io.smallrye.config.ConfigMapping;

/** The request limits, {@code tokenlog.limits.*}: names and defaults shared with the worker. */
@ConfigMapping(prefix = "tokenlog.limits")
public interface LimitsConfig extends dev.tokenlog.schemas.limits.LimitsConfig {}
