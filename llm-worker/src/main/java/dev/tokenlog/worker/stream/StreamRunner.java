package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
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

    /** The code of the terminal of an attempt ended by an internal error (an Error or a bug), not by the provider. */
    public static final String INTERNAL = "INTERNAL";

    /** How an execution ended for the consumer: done (terminal written) or not (redeliver later). */
    public enum Outcome { TERMINATED, ABORTED }

    private final ChunkSink sink;
    private final RunningStreams running;
    private final WorkerMetrics metrics;

    private final Attempt.Context context;

    public StreamRunner(ProviderRegistry providers, ChunkSink sink, RunningStreams running, WorkerMetrics metrics,
                        dev.tokenlog.worker.config.WorkerConfig config) {
        this.sink = sink;
        this.running = running;
        this.metrics = metrics;
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
        } catch (Throwable e) {
            // An Error (OutOfMemoryError, StackOverflowError...) or a bug anywhere in the attempt: it ends this
            // request, never the worker, and the terminal keeps a redelivery from running it again.
            return crashed(request, writer, e);
        }
    }

    /** Ends the attempt {@code Failed} {@value #INTERNAL} after {@code error}; ABORTED only if that cannot be written. */
    private Outcome crashed(LlmRequest request, AttemptWriter writer, Throwable error) {
        metrics.internalError(error);
        if (writer.terminated()) {
            LOG.errorf(error, "request %s: attempt %s hit an internal error (%s) after its terminal",
                    request.getRequestId(), writer.attemptId(), error.getClass().getName());
            return Outcome.TERMINATED;
        }
        LOG.errorf(error, "request %s: attempt %s ended by an internal error (%s); it ends Failed %s and is not retried",
                request.getRequestId(), writer.attemptId(), error.getClass().getName(), INTERNAL);
        Thread.interrupted(); // a stop racing the error must not look like one to the terminal's send
        try {
            RouteTarget target = request.getRoute().get(writer.routeIndex());
            writer.start(target.getProvider(), target.getModel(), writer.routeIndex());
            writer.failed(INTERNAL, "the worker failed internally on this request (logged with attempt "
                    + writer.attemptId() + "); it was not retried", false);
            return Outcome.TERMINATED;
        } catch (Throwable e) {
            LOG.errorf(e, "request %s: the terminal after an internal error was not written; it will be retried as a new"
                    + " attempt", request.getRequestId());
            return Outcome.ABORTED;
        }
    }
}
