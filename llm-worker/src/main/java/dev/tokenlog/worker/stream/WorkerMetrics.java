package dev.tokenlog.worker.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The worker's Micrometer meters, served at {@code /q/metrics} on the management port: time to first
 * token, output tokens, chunks, errors by code, retries and fallbacks (each by provider entry), streams
 * in flight, attempts ended by an internal error, and requests moved to the dead-letter topic.
 */
@ApplicationScoped
public class WorkerMetrics {
    private final MeterRegistry registry;
    /** Meters on the per-chunk path, built once per tag set (a builder per chunk costs at 50k/s). */
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> chunkCounters = new java.util.concurrent.ConcurrentHashMap<>();

    private final Counter deadLetters;
    private final Timer chunkAck;

    public WorkerMetrics(MeterRegistry registry, RunningStreams running) {
        this.registry = registry;
        this.deadLetters = Counter.builder("tokenlog.worker.dead.letters")
                .description("Request records moved to the dead-letter topic").register(registry);
        this.chunkAck = Timer.builder("tokenlog.worker.chunk.ack")
                .description("A chunk's producedAt (set when the worker made it from the provider's output) to Kafka's "
                        + "acknowledgement (acks=all); one chunk in " + ACK_SAMPLE + " (seq divisible by it)")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("tokenlog.worker.streams.inflight", running, RunningStreams::size)
                .description("Streams this worker is running").register(registry);
    }

    /** From the request's creation (what a user waits) to the first output chunk. */
    public void firstToken(String provider, String model, Duration sinceCreated) {
        Timer.builder("tokenlog.worker.ttft").description("Request creation to first output chunk")
                .tags("provider", provider, "model", model).publishPercentileHistogram()
                .register(registry).record(sinceCreated);
    }

    /** Chunks whose acknowledgement time is recorded: those whose seq is divisible by this. */
    public static final int ACK_SAMPLE = 16;

    /** A sampled chunk was acknowledged {@code nanos} after its producedAt. */
    public void chunkAcked(long nanos) {
        chunkAck.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void chunk(String provider) {
        chunkCounters.computeIfAbsent(provider, p -> Counter.builder("tokenlog.worker.chunks").tags("provider", p)
                .register(registry)).increment();
    }

    public void outputTokens(String provider, String model, long tokens) {
        Counter.builder("tokenlog.worker.output.tokens").tags("provider", provider, "model", model)
                .register(registry).increment(tokens);
    }

    public void error(String provider, String code) {
        Counter.builder("tokenlog.worker.errors").tags("provider", provider, "code", code).register(registry).increment();
    }

    /** An attempt ended by an Error or a bug instead of by its provider (terminal {@code Failed INTERNAL}). */
    public void internalError(Throwable error) {
        Counter.builder("tokenlog.worker.internal.errors").description("Attempts ended by an internal error, by its class")
                .tags("error", error.getClass().getSimpleName()).register(registry).increment();
    }

    public void retry(String provider) {
        Counter.builder("tokenlog.worker.retries").tags("provider", provider).register(registry).increment();
    }

    /** A request record moved to {@code llm.requests.dlq} (the reason is in its headers and the log). */
    public void deadLetter() {
        deadLetters.increment();
    }

    public void fallback(String fromProvider) {
        Counter.builder("tokenlog.worker.fallbacks").tags("from", fromProvider).register(registry).increment();
    }
}
