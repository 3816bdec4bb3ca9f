package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.worker.provider.ProviderRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * Executes one request as one {@link Attempt} on the calling (virtual) thread, registered with
 * {@link RunningStreams} so it can be cancelled or timed out, and tells the consumer whether the
 * request is done (terminal written) or must be redelivered.
 */
@ApplicationScoped
public class StreamRunner {
    private static final Logger LOG = Logger.getLogger(StreamRunner.class);

    /** How an execution ended for the consumer: done (terminal written) or not (redeliver later). */
    public enum Outcome { TERMINATED, ABORTED }

    private final ChunkSink sink;
    private final RunningStreams running;

    private final Attempt.Context context;

    public StreamRunner(ProviderRegistry providers, ChunkSink sink, RunningStreams running, WorkerMetrics metrics,
                        dev.tokenlog.worker.config.WorkerConfig config) {
        this.sink = sink;
        this.running = running;
        this.context = new Attempt.Context(providers, metrics, config.coalesceWindow(), running.scheduler());
    }

    public Outcome run(LlmRequest request) {
        AttemptWriter writer = new AttemptWriter(sink, request.getRequestId(), UUID.randomUUID().toString());
        try (StreamHandle handle = running.register(request.getRequestId(), Optional.ofNullable(request.getDeadline()))) {
            new Attempt(request, writer, handle, context).run();
            return Outcome.TERMINATED;
        } catch (Attempt.PublishFailed | ExecutionException e) {
            // Kafka refused the chunks: leave the request uncommitted so it is redelivered as a new attempt.
            LOG.errorf(e, "request %s: publishing chunks failed; it will be retried as a new attempt", request.getRequestId());
            return Outcome.ABORTED;
        } catch (Attempt.ShutdownInterrupt e) {
            LOG.warnf("request %s: stopped by shutdown mid-stream; it will be redelivered", request.getRequestId());
            return Outcome.ABORTED;
        }
    }
}
