package dev.tokenlog.fanout.config;

import dev.tokenlog.fanout.fold.FoldSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Timing of the answer fold. */
@ConfigMapping(prefix = "tokenlog.fold")
public interface FoldConfig {

    /** A request with no activity for this long ends ABANDONED (its worker died and nobody retried it). */
    @WithDefault("15m")
    Duration abandonAfter();

    /** How often (wall clock) the fold looks for abandoned requests. */
    @WithDefault("10s")
    Duration punctuateEvery();

    /** These values as the fold's settings (validated: both positive). */
    default FoldSettings settings() {
        return new FoldSettings(abandonAfter(), punctuateEvery());
    }
}
