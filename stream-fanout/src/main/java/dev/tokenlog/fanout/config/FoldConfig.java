package dev.tokenlog.fanout.config;

import dev.tokenlog.fanout.fold.FoldSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Timing and limits of the answer fold, and how long a status read waits for it. */
@ConfigMapping(prefix = "tokenlog.fold")
public interface FoldConfig {

    /** A request with no activity for this long ends ABANDONED (its worker died and nobody retried it). */
    @WithDefault("15m")
    Duration abandonAfter();

    /** How often (wall clock) the fold looks for abandoned requests. */
    @WithDefault("10s")
    Duration punctuateEvery();

    /**
     * Output (text + reasoning + tool arguments, UTF-8 bytes) a final answer holds at most; a longer
     * one is stored truncated with {@code truncated: true}, the full output stays in llm.chunks.
     * Default 8 MiB, at most 15 MiB (llm.answers takes 16 MiB records).
     */
    @WithDefault("8388608")
    long maxAnswerBytes();

    /**
     * How long {@code GET /v1/streams/{id}} waits for the fold to catch up with the stream's partition
     * of llm.chunks before it answers a non-terminal status (read-your-writes); past it, the index as it stands.
     */
    @WithDefault("5s")
    Duration statusWait();

    /** These values as the fold's settings (validated). */
    default FoldSettings settings() {
        return new FoldSettings(abandonAfter(), punctuateEvery(), maxAnswerBytes());
    }
}
