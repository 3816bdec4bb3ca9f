package dev.tokenlog.worker.provider.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.net.http.HttpHeaders;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP exchange on a {@link VertxTransport} lane, its response body read as a blocking
 * {@link InputStream}.
 *
 * <p>The event loop appends the response's buffers to a queue; {@link #read} blocks the calling (virtual)
 * thread until data, the end (-1) or a failure (an {@link IOException}). More than {@link #MAX_QUEUED}
 * bytes queued pauses the response (TCP back-pressure to the provider); the reader's draining below
 * half of it resumes it. {@link #close} (from any thread, also while a read is blocked) wakes the reader
 * and ends the exchange: an unfinished response is reset, which closes its connection, so a half-read
 * connection never goes back to the pool.
 *
 * <p>Everything touching Vert.x objects runs on the lane's event loop, which is also the thread of every
 * connection of the lane (see {@link VertxTransport}): the decision "finished, or reset" is therefore
 * never raced by the connection's own end of the response, which recycles the connection.
 */
final class VertxExchange extends InputStream {
    /** Queued bytes above which the response is paused. */
    static final int MAX_QUEUED = 256 * 1024;
    private static final int RESUME_BELOW = MAX_QUEUED / 2;

    private final Context loop;
    private final CompletableFuture<Void> head = new CompletableFuture<>();

    // Event loop only.
    private HttpClientRequest request;
    private HttpClientResponse response;
    private boolean aborted;

    // Set on the event loop before head completes; read after.
    private int status;
    private HttpHeaders headers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private int offset; // read position in queue.peek()
    private long queued;
    private long maxQueued;
    private boolean paused;
    private boolean resumeAsked;
    private boolean ended;
    private Throwable failure;
    private boolean closed;

    VertxExchange(Context loop) {
        this.loop = loop;
    }

    /** Sends the request; runs on the lane's event loop. {@code body} may be null (no body). */
    void start(HttpClient client, RequestOptions options, Buffer body) {
        client.request(options).onComplete(obtained -> {
            if (obtained.failed()) {
                head.completeExceptionally(new NotConnected(obtained.cause()));
                return;
            }
            request = obtained.result();
            if (aborted) {
                request.reset();
                return;
            }
            (body == null ? request.send() : request.send(body)).onComplete(answered -> {
                if (answered.failed()) {
                    head.completeExceptionally(answered.cause());
                    return;
                }
                response = answered.result();
                response.handler(this::onData);
                response.endHandler(v -> onEnd(null));
                response.exceptionHandler(this::onEnd);
                status = response.statusCode();
                headers = copy(response.headers());
                head.complete(null);
                if (aborted) {
                    abortOnLoop();
                }
            });
        });
    }

    /**
     * Waits for the response's status and headers, at most {@code timeoutMillis} (0: no limit). On any
     * failure, timeout or interrupt the exchange is closed.
     *
     * @throws NotConnected     no connection could be obtained (refused, unresolved, connect timeout, TLS)
     * @throws TimeoutException no response head within the limit
     * @throws IOException      the exchange broke after the connection was obtained
     */
    void awaitHead(long timeoutMillis) throws IOException, InterruptedException, TimeoutException, NotConnected {
        try {
            if (timeoutMillis > 0) {
                head.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } else {
                head.get();
            }
        } catch (ExecutionException e) {
            close();
            if (e.getCause() instanceof NotConnected notConnected) {
                throw notConnected;
            }
            throw new IOException("the exchange failed before the response: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            close();
            throw e;
        }
    }

    int status() {
        return status;
    }

    HttpHeaders headers() {
        return headers;
    }

    /** The most bytes ever queued at once (tests pin the bound). */
    long maxQueued() {
        lock.lock();
        try {
            return maxQueued;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, into.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    throw new IOException("the response body was closed");
                }
                if (failure != null) {
                    throw new IOException("the response broke off: " + failure, failure);
                }
                if (ended) {
                    return -1;
                }
                changed.await();
            }
            int n = 0;
            while (n < len && !queue.isEmpty()) {
                Buffer first = queue.peek();
                int take = Math.min(len - n, first.length() - offset);
                first.getBytes(offset, offset + take, into, off + n);
                n += take;
                offset += take;
                if (offset == first.length()) {
                    queue.poll();
                    offset = 0;
                }
            }
            queued -= n;
            if (paused && !resumeAsked && queued < RESUME_BELOW) {
                resumeAsked = true;
                loop.runOnContext(v -> resumeOnLoop());
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while reading the response");
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a blocked reader and ends the exchange; idempotent, from any thread. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queued = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        loop.runOnContext(v -> abortOnLoop());
    }

    private void onData(Buffer data) {
        lock.lock();
        try {
            if (closed) {
                return; // discarded: the exchange is being ended
            }
            queue.add(data);
            queued += data.length();
            maxQueued = Math.max(maxQueued, queued);
            if (queued > MAX_QUEUED && !paused) {
                paused = true;
                response.pause();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onEnd(Throwable error) {
        lock.lock();
        try {
            if (error == null) {
                ended = true;
            } else if (!ended && failure == null) {
                failure = error;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void resumeOnLoop() {
        lock.lock();
        try {
            paused = false;
            resumeAsked = false;
        } finally {
            lock.unlock();
        }
        response.resume();
    }

    /**
     * Ends the exchange on the event loop. A response Vert.x has already ended must not be reset (the
     * reset would close its recycled connection, maybe serving another exchange by now); Vert.x may
     * still hold its end behind a pause, so the response is resumed first (the rest is discarded) and
     * the check runs after that hand-over.
     */
    private void abortOnLoop() {
        if (aborted && response == null) {
            return;
        }
        aborted = true;
        if (response == null) {
            if (request != null) {
                request.reset();
            }
            return;
        }
        if (finished()) {
            return;
        }
        response.resume();
        loop.runOnContext(v -> {
            if (!finished()) {
                request.reset();
            }
        });
    }

    private boolean finished() {
        lock.lock();
        try {
            return ended || failure != null;
        } finally {
            lock.unlock();
        }
    }

    private static HttpHeaders copy(io.vertx.core.MultiMap from) {
        Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : from.names()) {
            map.put(name, from.getAll(name));
        }
        return HttpHeaders.of(map, (name, value) -> true);
    }

    /** No connection could be obtained for the exchange. */
    static final class NotConnected extends Exception {
        @Serial private static final long serialVersionUID = 1L;

        NotConnected(Throwable cause) {
            super(String.valueOf(cause), cause, false, false);
        }
    }
}
