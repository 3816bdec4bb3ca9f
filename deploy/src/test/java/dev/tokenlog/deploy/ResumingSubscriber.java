package dev.tokenlog.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An SSE client that behaves like a browser's {@code EventSource}: it reads one stream from its
 * first event and, whenever the connection drops (gateway killed, or {@link #pause()} by the test),
 * reconnects with {@code Last-Event-ID} set to the last id it received (after {@link #resume()} if
 * the test paused it), trying its gateways in turn
 * until one serves it, until a terminal event or its deadline. It keeps every event it received, so
 * a test can audit what it saw after its last {@code reset} against the chunk log.
 */
final class ResumingSubscriber {
    private static final Duration RECONNECT_PAUSE = Duration.ofMillis(250);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Well above the gateway's 15 s heartbeat: a connection silent this long is dead. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(45);

    private final String streamId;
    private final String token;
    private final List<String> gateways;
    private final List<SseReader.Event> received = new ArrayList<>();
    private Thread thread;
    private HttpURLConnection connection;
    private String lastEventId;
    private int resumes;
    private boolean terminal;
    private boolean paused;
    private String failure;

    /** @param gateways base URLs, tried in this order (and again from the first) after each failed connect */
    ResumingSubscriber(String streamId, String token, List<String> gateways) {
        this.streamId = streamId;
        this.token = token;
        this.gateways = List.copyOf(gateways);
    }

    String streamId() {
        return streamId;
    }

    /** Starts reading on a virtual thread; it gives up at {@code deadline}. */
    ResumingSubscriber start(Instant deadline) {
        thread = Thread.ofVirtual().name("sse-" + streamId).start(() -> run(deadline));
        return this;
    }

    /**
     * Goes offline, as a client whose network drops: it leaves its connection at the next event
     * (keeping that event, so nothing is lost) and stays away until {@link #resume()}. Leaving from
     * the reading thread is deterministic, where closing a blocked connection from another thread is not.
     */
    synchronized void pause() {
        paused = true;
    }

    /** Whether it is paused and has left its connection. */
    synchronized boolean offline() {
        return paused && connection == null;
    }

    /** Lets a paused subscriber reconnect, with its last event id. */
    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    /** Waits for the reader to end (terminal, deadline or failure). */
    void join(Duration timeout) throws InterruptedException {
        if (!thread.join(timeout)) {
            throw new AssertionError("subscriber of " + streamId + " still reading after " + timeout + "; " + this);
        }
    }

    synchronized boolean terminal() {
        return terminal;
    }

    /** Connections made with a {@code Last-Event-ID}. */
    synchronized int resumes() {
        return resumes;
    }

    synchronized int eventCount() {
        return received.size();
    }

    /** Why it gave up, or null. */
    synchronized String failure() {
        return failure;
    }

    /** The events of the attempt the subscriber ended with: everything after its last {@code reset}. */
    synchronized List<SseReader.Event> finalAttempt() {
        int lastReset = -1;
        for (int i = 0; i < received.size(); i++) {
            if (received.get(i).event().equals("reset")) {
                lastReset = i;
            }
        }
        return List.copyOf(received.subList(lastReset + 1, received.size()));
    }

    @Override
    public synchronized String toString() {
        return "subscriber of " + streamId + " (events " + received.size() + ", resumes " + resumes + ", last id "
                + lastEventId + ", terminal " + terminal + (failure == null ? "" : ", failure " + failure) + ")";
    }

    private void run(Instant deadline) {
        int gateway = 0;
        while (!terminal() && Instant.now().isBefore(deadline)) {
            if (!awaitOnline(deadline)) {
                return;
            }
            if (!readOnce(gateways.get(gateway))) {
                gateway = (gateway + 1) % gateways.size();
                try {
                    Thread.sleep(RECONNECT_PAUSE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        synchronized (this) {
            if (!terminal) {
                failure = "no terminal event before the deadline";
            }
        }
    }

    /** Waits while paused; false if interrupted. */
    private synchronized boolean awaitOnline(Instant deadline) {
        try {
            while (paused && Instant.now().isBefore(deadline)) {
                wait(100);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One connection; false when the gateway could not serve it at all (down, or not 200). */
    private boolean readOnce(String gateway) {
        String after;
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) URI.create(
                    gateway + "/v1/streams/" + streamId + "/events?token=" + token).toURL().openConnection();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            if (paused) {
                return true; // paused while it was about to connect: wait again
            }
            after = lastEventId;
            this.connection = connection;
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
        connection.setRequestProperty("Accept", "text/event-stream");
        if (after != null) {
            connection.setRequestProperty("Last-Event-ID", after);
        }
        try {
            if (status(connection) != 200) {
                return false;
            }
            synchronized (this) {
                if (after != null) {
                    resumes++;
                }
            }
            try (InputStream in = connection.getInputStream()) {
                boolean ended = SseReader.forEach(in, this::accept);
                synchronized (this) {
                    terminal = ended;
                }
            } catch (IOException e) {
                // dropped mid-stream: resume from the last id
            } catch (Left e) {
                // paused: resume from the last id once the test resumes it
            }
            return true;
        } finally {
            connection.disconnect();
            synchronized (this) {
                this.connection = null;
            }
        }
    }

    /** The response status, or -1 when the gateway cannot be reached. */
    private static int status(HttpURLConnection connection) {
        try {
            return connection.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private synchronized void accept(SseReader.Event event) {
        received.add(event);
        if (!event.event().equals("reset") && event.id() != null && !Objects.equals(event.id(), "")) {
            lastEventId = event.id();
        }
        if (paused && !SseReader.TERMINALS.contains(event.event())) {
            throw new Left();
        }
    }

    /** Thrown from the event sink to leave the connection of a paused subscriber. */
    private static final class Left extends RuntimeException {
        Left() {
            super("paused", null, false, false);
        }
    }
}
