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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * Publishes the chunks of one attempt: {@code Started} first, contiguous {@code seq}, exactly one
 * terminal. A delta longer than {@link #MAX_DELTA_CHARS} is published as several chunks, so no chunk
 * is over Kafka's record size limit. Not thread-safe: one attempt is written by one thread.
 */
public final class AttemptWriter {
    private static final Logger LOG = Logger.getLogger(AttemptWriter.class);
    /**
     * Longest text of one delta chunk, in chars. A char is at most 3 UTF-8 bytes (a 4-byte character
     * is two chars), so a chunk stays under Kafka's default 1 MiB record limit ({@code max.request.size},
     * {@code message.max.bytes}); a longer record would be refused and its text lost.
     */
    static final int MAX_DELTA_CHARS = 256 * 1024;

    private final ChunkSink sink;
    private final String requestId;
    private final String attemptId;
    private long seq;
    private boolean started;
    private boolean output;
    private boolean terminated;
    private int routeIndex;
    /** The first chunk of this attempt Kafka did not take (set from the producer's I/O thread). */
    private volatile String lost;

    public AttemptWriter(ChunkSink sink, String requestId, String attemptId) {
        this.sink = sink;
        this.requestId = requestId;
        this.attemptId = attemptId;
    }

    public String attemptId() {
        return attemptId;
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
            case ProviderEvent.Text t -> pieces(t.text()).forEach(piece -> send(new TextDelta(piece)));
            case ProviderEvent.Reasoning r -> pieces(r.text()).forEach(piece -> send(new ReasoningDelta(piece)));
            case ProviderEvent.ToolCallStart s -> send(new ToolCallStarted(s.index(), s.id(), s.name()));
            case ProviderEvent.ToolCallArguments a -> pieces(a.delta()).forEach(piece -> send(new ToolCallDelta(a.index(), piece)));
            case ProviderEvent.ToolCallEnd e -> send(new ToolCallFinished(e.index()));
            case ProviderEvent.Usage u -> send(new Usage(u.input(), u.output(), u.cached(), u.reasoning()));
            case ProviderEvent.Finished f -> terminal(new Completed(f.reason(), f.rawReason()));
        }
    }

    /** {@code text} cut into pieces of at most {@link #MAX_DELTA_CHARS}, never inside a surrogate pair. */
    static List<String> pieces(String text) {
        if (text == null || text.length() <= MAX_DELTA_CHARS) {
            return Collections.singletonList(text);
        }
        List<String> pieces = new ArrayList<>();
        for (int start = 0; start < text.length(); ) {
            int end = Math.min(text.length(), start + MAX_DELTA_CHARS);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
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

    /**
     * Sends the terminal and waits for its acknowledgement, which also covers every earlier chunk. If an
     * earlier chunk was not written, the attempt cannot end as if it were whole: its terminal becomes
     * {@code Failed} with code {@value #CHUNK_NOT_WRITTEN}, so the answer says why instead of hiding a gap.
     */
    private void terminal(Object event) throws ExecutionException {
        if (terminated) {
            throw new IllegalStateException("attempt " + attemptId + " of " + requestId + " already has a terminal");
        }
        terminated = true;
        String missing = lost;
        sink.sendAndWait(chunk(missing == null ? event
                : new Failed(CHUNK_NOT_WRITTEN, missing + "; the attempt's output has a gap", true, output)));
    }

    /** The code of the terminal of an attempt one of whose chunks Kafka did not take. */
    public static final String CHUNK_NOT_WRITTEN = "CHUNK_NOT_WRITTEN";

    private void send(Object event) {
        if (terminated) {
            throw new IllegalStateException("attempt " + attemptId + " of " + requestId + " already has a terminal");
        }
        ChunkRecord chunk = chunk(event);
        sink.send(chunk, error -> {
            if (lost == null) {
                LOG.warnf("request %s: chunk %d of attempt %s was not written to Kafka: %s", requestId, chunk.getSeq(),
                        attemptId, error.toString());
                lost = "chunk " + chunk.getSeq() + " was not written to Kafka (the worker's log has the cause)";
            }
        });
    }

    private ChunkRecord chunk(Object event) {
        return new ChunkRecord(requestId, attemptId, seq++, Instant.now(), event);
    }
}
