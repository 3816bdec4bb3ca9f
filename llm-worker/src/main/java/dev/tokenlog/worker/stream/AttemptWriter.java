package dev.tokenlog.worker.stream;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.ReasoningDelta;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.ToolCallDelta;
import dev.tokenlog.avro.ToolCallFinished;
import dev.tokenlog.avro.ToolCallStarted;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.worker.provider.ProviderEvent;
import java.time.Instant;
import java.util.concurrent.ExecutionException;

/**
 * Publishes the chunks of one attempt: {@code Started} first, contiguous {@code seq}, exactly one
 * terminal. Not thread-safe: one attempt is written by one thread.
 */
public final class AttemptWriter {
    private final ChunkSink sink;
    private final String requestId;
    private final String attemptId;
    private long seq;
    private boolean started;
    private boolean output;
    private boolean terminated;
    private int routeIndex;

    public AttemptWriter(ChunkSink sink, String requestId, String attemptId) {
        this.sink = sink;
        this.requestId = requestId;
        this.attemptId = attemptId;
    }

    /** Publishes {@code Started} unless this attempt already has. */
    public void start(String provider, String model, int routeIndex) {
        if (!started) {
            started = true;
            send(new Started(provider, model, routeIndex));
        }
    }

    /** The route target being tried (for the terminal's Started when nothing was output). */
    public void routeIndex(int index) {
        this.routeIndex = index;
    }

    public int routeIndex() {
        return routeIndex;
    }

    public boolean started() {
        return started;
    }

    /** Whether model output (not just Started or usage) was published: then no silent retry is allowed. */
    public boolean hasOutput() {
        return output;
    }

    /** Publishes one normalised provider event; {@code Finished} becomes the {@code Completed} terminal. */
    public void event(ProviderEvent event) throws ExecutionException {
        output |= event.isOutput();
        switch (event) {
            case ProviderEvent.Text t -> send(new TextDelta(t.text()));
            case ProviderEvent.Reasoning r -> send(new ReasoningDelta(r.text()));
            case ProviderEvent.ToolCallStart s -> send(new ToolCallStarted(s.index(), s.id(), s.name()));
            case ProviderEvent.ToolCallArguments a -> send(new ToolCallDelta(a.index(), a.delta()));
            case ProviderEvent.ToolCallEnd e -> send(new ToolCallFinished(e.index()));
            case ProviderEvent.Usage u -> send(new Usage(u.input(), u.output(), u.cached(), u.reasoning()));
            case ProviderEvent.Finished f -> terminal(new Completed(f.reason(), f.rawReason()));
        }
    }

    public void failed(String code, String message, boolean retryable) throws ExecutionException {
        terminal(new Failed(code, message, retryable, output));
    }

    public void cancelled(String reason) throws ExecutionException {
        terminal(new Cancelled(reason));
    }

    public boolean terminated() {
        return terminated;
    }

    /** Sends the terminal and waits for its acknowledgement, which also covers every earlier chunk. */
    private void terminal(Object event) throws ExecutionException {
        if (terminated) {
            throw new IllegalStateException("attempt " + attemptId + " of " + requestId + " already has a terminal");
        }
        terminated = true;
        sink.sendAndWait(chunk(event));
    }

    private void send(Object event) {
        if (terminated) {
            throw new IllegalStateException("attempt " + attemptId + " of " + requestId + " already has a terminal");
        }
        sink.send(chunk(event));
    }

    private ChunkRecord chunk(Object event) {
        return new ChunkRecord(requestId, attemptId, seq++, Instant.now(), event);
    }
}
