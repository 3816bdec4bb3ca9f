package dev.tokenlog.fanout.sse;

import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Writes SSE text to one subscriber from its own (virtual) thread, one write in flight at a time: the
 * history before the live part ({@link LiveWriter} writes that from the event loop), or a stream replayed
 * from its final answer. Memory per subscriber stays bounded, and a subscriber that does not read within
 * the write timeout is closed; it resumes with its last event id.
 */
final class SseWriter {
    private static final Logger LOG = Logger.getLogger(SseWriter.class);

    /** The subscriber disconnected or was too slow; nothing more can be written. */
    static final class SubscriberGone extends RuntimeException {
        SubscriberGone(String why) {
            super(why, null, false, false);
        }
    }

    private final HttpServerResponse response;
    private final AtomicBoolean closed;
    private final Duration writeTimeout;
    private final Runnable closeConnection;
    private final StringBuilder pending = new StringBuilder();

    /** @param closeConnection closes the subscriber's connection at once, dropping what it has not read */
    SseWriter(HttpServerResponse response, AtomicBoolean closed, Duration writeTimeout, Runnable closeConnection) {
        this.response = response;
        this.closed = closed;
        this.writeTimeout = writeTimeout;
        this.closeConnection = closeConnection;
    }

    /**
     * Sends the headers that keep proxies from buffering, and the reconnect hint. The hint and the
     * comments end with one newline, not a blank line: a blank line after them would end an event
     * with no data, which the spec ignores but OpenAI's SDKs (Java and Python) dispatch and fail
     * to parse once an event id has been seen.
     */
    void open(Duration retry) {
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        write("retry: " + retry.toMillis() + "\n");
    }

    /** Adds a frame to the pending batch; {@link #flush()} writes the batch in one write. */
    void queue(SseFrame frame) {
        pending.append(frame.encode());
    }

    /** Writes the frames queued since the last flush, if any. */
    void flush() {
        if (!pending.isEmpty()) {
            String text = pending.toString();
            pending.setLength(0);
            write(text);
        }
    }

    void send(SseFrame frame) {
        write(frame.encode());
    }

    void checkOpen() {
        if (closed.get()) {
            throw new SubscriberGone("connection closed by the subscriber");
        }
    }

    void end() {
        if (!closed.get()) {
            response.end();
        }
    }

    private void write(String text) {
        checkOpen();
        try {
            response.write(text).toCompletionStage().toCompletableFuture()
                    .get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Bounded memory: a subscriber that does not read is cut off, and what it has not read is
            // dropped with its connection; it resumes by event id.
            closeConnection.run();
            LOG.infof("cut off a subscriber that read nothing for %s; it resumes by event id", writeTimeout);
            throw new SubscriberGone("write timed out after " + writeTimeout);
        } catch (ExecutionException e) {
            throw new SubscriberGone("write failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubscriberGone("interrupted");
        }
    }
}
