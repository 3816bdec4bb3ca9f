package dev.tokenlog.worker.config;

import io.smallrye.config.ConfigMapping;

/** The request limits, {@code tokenlog.limits.*}: names and defaults shared with the gateway. */
@ConfigMapping(prefix = "tokenlog.limits")
public interface LimitsConfig extends dev.tokenlog.schemas.limits.LimitsConfig {}
