package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's hops of a token's way to the browser, from the chunk's {@code producedAt} (stamped by the
 * worker when it made the chunk from the provider's output; milliseconds, the worker's clock): read by
 * the live tail, and written to a live subscriber's connection (handed to the socket). Only chunks whose
 * {@code seq} is divisible by {@link #SAMPLE} are timed, as the worker times its hop to Kafka
 * ({@code tokenlog_worker_chunk_ack_seconds}), so the per-chunk path pays a modulo.
 */
@Startup // its timers exist from the start, before the first sampled chunk
@ApplicationScoped
public class HopTimers {
    static final int SAMPLE = 16;

    private final Timer tail;
    private final Timer written;

    public HopTimers(MeterRegistry registry) {
        tail = Timer.builder("tokenlog.gateway.chunk.tail")
                .description("A chunk's producedAt to its read by the live tail (chunks with live subscribers; one in "
                        + SAMPLE + ")")
                .publishPercentileHistogram().register(registry);
        written = Timer.builder("tokenlog.gateway.chunk.written")
                .description("A chunk's producedAt to its write to a live subscriber's connection (one in " + SAMPLE + ")")
                .publishPercentileHistogram().register(registry);
    }

    static boolean sampled(ChunkRecord chunk) {
        return chunk.getSeq() % SAMPLE == 0;
    }

    void tailRead(ChunkRecord chunk, long nowMillis) {
        tail.record(Math.max(0, nowMillis - chunk.getProducedAt().toEpochMilli()), TimeUnit.MILLISECONDS);
    }

    void written(long producedAtMillis, long nowMillis) {
        written.record(Math.max(0, nowMillis - producedAtMillis), TimeUnit.MILLISECONDS);
    }
}
