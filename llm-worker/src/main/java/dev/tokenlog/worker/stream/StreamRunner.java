package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * Executes one request as one attempt: walks its route until a target streams, publishes every
 * event as a chunk and ends the attempt with exactly one terminal. Runs on a virtual thread.
 */
@ApplicationScoped
public class StreamRunner {
    private static final Logger LOG = Logger.getLogger(StreamRunner.class);

    /** How an execution ended for the consumer: done (terminal written) or not (redeliver later). */
    public enum Outcome { TERMINATED, ABORTED }

    private final ProviderRegistry providers;
    private final ChunkSink sink;
    private final RunningStreams running;

    public StreamRunner(ProviderRegistry providers, ChunkSink sink, RunningStreams running) {
        this.providers = providers;
        this.sink = sink;
        this.running = running;
    }

    public Outcome run(LlmRequest request) {
        String attemptId = UUID.randomUUID().toString();
        AttemptWriter writer = new AttemptWriter(sink, request.getRequestId(), attemptId);
        Optional<Instant> deadline = Optional.ofNullable(request.getDeadline());
        try (RunningStreams.Handle handle = running.register(request.getRequestId(), deadline)) {
            execute(request, writer, handle);
            return Outcome.TERMINATED;
        } catch (PublishFailed | ExecutionException e) {
            // Kafka refused the chunks: leave the request uncommitted so it is redelivered as a new attempt.
            LOG.errorf(e, "request %s: publishing chunks failed; it will be retried as a new attempt",
                    request.getRequestId());
            return Outcome.ABORTED;
        } catch (ShutdownInterrupt e) {
            LOG.warnf("request %s: stopped by shutdown mid-stream; it will be redelivered", request.getRequestId());
            return Outcome.ABORTED;
        }
    }

    private void execute(LlmRequest request, AttemptWriter writer, RunningStreams.Handle handle)
            throws ExecutionException, ShutdownInterrupt {
        List<RouteTarget> route = request.getRoute();
        for (int i = 0; i < route.size(); i++) {
            RouteTarget target = route.get(i);
            boolean last = i == route.size() - 1;
            int routeIndex = i;
            try {
                if (request.getDeadline() != null && !request.getDeadline().isAfter(Instant.now())) {
                    writer.start(target.getProvider(), target.getModel(), routeIndex);
                    writer.failed("DEADLINE_EXCEEDED", "the request's deadline passed before it started", false);
                    return;
                }
                Provider provider = providers.find(target.getProvider()).orElseThrow(() -> new ProviderException(
                        "PROVIDER_NOT_FOUND", "no provider entry '" + target.getProvider()
                                + "' is configured on this worker; configured: " + providers.names(), false));
                provider.stream(request, target.getModel(), event -> {
                    writer.start(target.getProvider(), target.getModel(), routeIndex);
                    publish(writer, event);
                });
                if (!writer.terminated()) {
                    writer.failed("TRUNCATED", "provider stream ended without a finish marker", true);
                }
                return;
            } catch (ProviderException e) {
                if (!writer.hasOutput() && e.retryable() && !last) {
                    LOG.infof("request %s: target %s/%s failed before output (%s); trying the next target",
                            request.getRequestId(), target.getProvider(), target.getModel(), e.code());
                    continue;
                }
                writer.start(target.getProvider(), target.getModel(), routeIndex);
                writer.failed(e.code(), e.getMessage(), e.retryable());
                return;
            } catch (InterruptedException e) {
                stopped(handle, writer, target, routeIndex);
                return;
            }
        }
    }

    /** Ends an attempt whose thread was interrupted, according to why it was stopped. */
    private static void stopped(RunningStreams.Handle handle, AttemptWriter writer, RouteTarget target, int routeIndex)
            throws ExecutionException, ShutdownInterrupt {
        Thread.interrupted(); // clear the flag so the terminal can be sent
        RunningStreams.Stop why = handle.stop();
        if (why == null || why instanceof RunningStreams.Stop.Shutdown) {
            throw new ShutdownInterrupt();
        }
        writer.start(target.getProvider(), target.getModel(), routeIndex);
        switch (why) {
            case RunningStreams.Stop.Cancel c -> writer.cancelled(c.reason());
            case RunningStreams.Stop.DeadlineExceeded d ->
                    writer.failed("DEADLINE_EXCEEDED", "the request's deadline passed mid-stream", false);
            case RunningStreams.Stop.Shutdown s -> throw new ShutdownInterrupt();
        }
    }

    private static void publish(AttemptWriter writer, dev.tokenlog.worker.provider.ProviderEvent event) {
        try {
            writer.event(event);
        } catch (ExecutionException e) {
            throw new PublishFailed(e);
        }
    }

    /** Publishing a chunk failed inside the provider's callback. */
    private static final class PublishFailed extends RuntimeException {
        PublishFailed(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The worker is shutting down: end without a terminal so the request is redelivered. */
    private static final class ShutdownInterrupt extends Exception {}
}
