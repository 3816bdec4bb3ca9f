package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * One attempt of one request while it walks its route. Before the first output chunk a failing
 * target is retried with backoff (honouring Retry-After) when the failure is retryable, then the
 * next route target is tried; after the first output chunk there is no silent retry: the attempt
 * ends {@code Failed} with the partial output kept. Ends with exactly one terminal, or throws
 * {@link ShutdownInterrupt} (no terminal: the request is redelivered).
 */
final class Attempt {
    private static final Logger LOG = Logger.getLogger(Attempt.class);

    /** Metadata key: also move to the next target on non-retryable (4xx) errors. */
    static final String FALLBACK_ON_CLIENT_ERROR = "route.fallback-on-client-error";


    private final LlmRequest request;
    private final AttemptWriter writer;
    private final StreamHandle handle;
    private final boolean fallbackOnClientError;
    private final ProviderRegistry providers;
    private final WorkerMetrics metrics;

    /** What every attempt of this worker shares. */
    record Context(ProviderRegistry providers, WorkerMetrics metrics, Duration coalesceWindow,
                   java.util.concurrent.ScheduledExecutorService scheduler) {}

    private final Context context;

    Attempt(LlmRequest request, AttemptWriter writer, StreamHandle handle, Context context) {
        this.request = request;
        this.writer = writer;
        this.handle = handle;
        this.context = context;
        this.providers = context.providers();
        this.metrics = context.metrics();
        this.fallbackOnClientError = "true".equals(request.getMetadata().get(FALLBACK_ON_CLIENT_ERROR));
    }

    /** Walks the route until the attempt has its terminal. */
    void run() throws ExecutionException, ShutdownInterrupt {
        List<RouteTarget> route = request.getRoute();
        if (request.getDeadline() != null && !request.getDeadline().isAfter(Instant.now())) {
            writer.start(route.get(0).getProvider(), route.get(0).getModel(), 0);
            writer.failed("DEADLINE_EXCEEDED", "the request's deadline passed before it started", false);
            return;
        }
        ProviderException last = null;
        for (int i = 0; i < route.size(); i++) {
            last = tryTarget(route.get(i), i);
            if (last == null) {
                return; // the attempt has its terminal
            }
            boolean moveOn = last.retryable() || fallbackOnClientError;
            if (!moveOn || i == route.size() - 1) {
                break;
            }
            LOG.infof("request %s: target %s failed before output (%s); trying the next target",
                    request.getRequestId(), describe(route.get(i)), last.code());
            metrics.fallback(route.get(i).getProvider());
        }
        RouteTarget target = route.get(writer.routeIndex());
        writer.start(target.getProvider(), target.getModel(), writer.routeIndex());
        metrics.error(target.getProvider(), last.code());
        writer.failed(last.code(), last.getMessage(), last.retryable());
    }

    /** Runs one target with retries; null when the attempt has ended, else the error that exhausted it. */
    private ProviderException tryTarget(RouteTarget target, int routeIndex) throws ExecutionException, ShutdownInterrupt {
        writer.routeIndex(routeIndex);
        Optional<ProviderRegistry.Configured> configured = providers.find(target.getProvider());
        if (configured.isEmpty()) {
            return new ProviderException("PROVIDER_NOT_FOUND", providers.notConfigured(target.getProvider()), false);
        }
        TryPolicy policy = TryPolicy.of(configured.get().entry(), request);
        for (int retry = 0; ; retry++) {
            ProviderException error = once(configured.get(), target, routeIndex, policy);
            if (error == null || writer.terminated()) {
                return null;
            }
            if (writer.hasOutput()) {
                // After the first output chunk there is no silent retry: keep what was said.
                metrics.error(target.getProvider(), error.code());
                writer.failed(error.code(), error.getMessage(), error.retryable());
                return null;
            }
            if (!error.retryable() || retry >= policy.maxRetries()) {
                return error;
            }
            metrics.retry(target.getProvider());
            backoff(policy.delay(retry, error.retryAfter().orElse(null)), target, error);
            if (writer.terminated()) {
                return null; // cancelled or past its deadline while waiting
            }
        }
    }

    /** One call of one target; null when it ended the attempt, else why it failed. */
    private ProviderException once(ProviderRegistry.Configured configured, RouteTarget target, int routeIndex,
                                   TryPolicy policy) throws ExecutionException, ShutdownInterrupt {
        handle.arm(policy.firstToken(), policy.idle());
        ProviderCall call = new ProviderCall(request, target.getModel(), handle::closeOnStop, policy.connect());
        TextCoalescer out = new TextCoalescer(configured.entry().coalesceWindow().orElse(context.coalesceWindow()),
                context.scheduler(), event -> {
            if (event.isOutput() || event instanceof ProviderEvent.Finished) {
                writer.start(target.getProvider(), target.getModel(), routeIndex);
            }
            if (event instanceof ProviderEvent.Usage u) {
                metrics.outputTokens(target.getProvider(), target.getModel(), u.output());
            }
            metrics.chunk(target.getProvider());
            publish(event);
        });
        boolean[] firstToken = {false};
        try {
            try {
                configured.provider().stream(call, event -> {
                    handle.progress();
                    if (event.isOutput() && !firstToken[0]) {
                        firstToken[0] = true;
                        metrics.firstToken(target.getProvider(), target.getModel(),
                                Duration.between(request.getCreatedAt(), Instant.now()));
                    }
                    out.accept(event);
                });
            } finally {
                out.flush(); // merged text is published before any decision about retry or failure
            }
            if (!writer.terminated()) {
                return new ProviderException("TRUNCATED", "the provider's stream ended without a finish marker", true);
            }
            return null;
        } catch (ProviderException e) {
            return stopped().orElse(e);
        } catch (PublishFailed e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug of an adapter meeting output it did not expect (e.g. a null where an object belongs):
            // the attempt ends with a clear error instead of its thread dying without a terminal.
            LOG.errorf(e, "request %s: the %s adapter failed on its output", request.getRequestId(), target.getProvider());
            return stopped().orElse(ProviderException.protocol(target.getProvider()
                    + " sent output its adapter could not map (the worker's log has the details)"));
        } catch (IOException e) {
            LOG.warnf("request %s: connection to %s broke: %s", request.getRequestId(), target.getProvider(), e.toString());
            return stopped().orElse(new ProviderException("TRUNCATED",
                    "connection to " + target.getProvider() + " broke (the worker's log has the details)", true));
        } catch (InterruptedException e) {
            return stopped().orElseThrow(ShutdownInterrupt::new);
        }
    }

    /**
     * If the stream was stopped, ends the attempt accordingly (empty result) or, for a first-token
     * timeout, reports it as a retryable error; empty optional also when not stopped at all.
     */
    private Optional<ProviderException> stopped() throws ExecutionException, ShutdownInterrupt {
        RunningStreams.Stop why = handle.stopReason();
        if (why == null) {
            return Optional.empty();
        }
        Thread.interrupted(); // clear the flag so the terminal can be sent
        RouteTarget target = request.getRoute().get(writer.routeIndex());
        switch (why) {
            case RunningStreams.Stop.FirstTokenTimeout t -> {
                handle.clearFirstTokenTimeout();
                return Optional.of(new ProviderException("FIRST_TOKEN_TIMEOUT",
                        "no output from " + describe(target) + " within " + t.after(), true));
            }
            case RunningStreams.Stop.Shutdown s -> throw new ShutdownInterrupt();
            case RunningStreams.Stop.Cancel c -> {
                writer.start(target.getProvider(), target.getModel(), writer.routeIndex());
                writer.cancelled(c.reason());
            }
            case RunningStreams.Stop.DeadlineExceeded d -> {
                metrics.error(target.getProvider(), "DEADLINE_EXCEEDED");
                writer.start(target.getProvider(), target.getModel(), writer.routeIndex());
                writer.failed("DEADLINE_EXCEEDED", "the request's deadline passed", false);
            }
            case RunningStreams.Stop.IdleTimeout t -> {
                metrics.error(target.getProvider(), "IDLE_TIMEOUT");
                writer.start(target.getProvider(), target.getModel(), writer.routeIndex());
                writer.failed("IDLE_TIMEOUT", "no output from " + describe(target) + " for " + t.after(), true);
            }
        }
        return Optional.of(new ProviderException("ENDED", "ended by " + why, false));
    }

    private void backoff(Duration delay, RouteTarget target, ProviderException error)
            throws ExecutionException, ShutdownInterrupt {
        handle.disarm(); // the wait (e.g. a Retry-After longer than the first-token timeout) is no try to time out
        LOG.infof("request %s: %s failed before output (%s: %s); retrying in %d ms", request.getRequestId(),
                describe(target), error.code(), error.getMessage(), delay.toMillis());
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            if (stopped().isEmpty()) {
                throw new ShutdownInterrupt();
            }
        }
    }

    private void publish(ProviderEvent event) {
        try {
            writer.event(event);
        } catch (ExecutionException | RuntimeException e) {
            throw new PublishFailed(e);
        }
    }

    private static String describe(RouteTarget target) {
        return target.getProvider() + "/" + target.getModel();
    }

    /** Publishing a chunk failed inside the provider's callback. */
    static final class PublishFailed extends RuntimeException {
        PublishFailed(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The worker is shutting down: end without a terminal so the request is redelivered. */
    static final class ShutdownInterrupt extends Exception {}
}
