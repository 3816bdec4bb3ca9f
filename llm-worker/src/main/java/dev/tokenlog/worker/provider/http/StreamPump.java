package dev.tokenlog.worker.provider.http;

import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.ByteSink;
import dev.tokenlog.worker.provider.framing.FramingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a provider's response body into a framing parser whose callback maps wire events and may
 * fail. Framing callbacks are plain {@link Consumer}s, so a handler's {@link ProviderException} is
 * carried out of the parser by {@link #rethrowing} and surfaces from {@link #pump} as itself; a
 * {@link FramingException} (an oversized event or line) becomes a protocol error. Reading stops as
 * soon as the adapter has seen its terminal marker, so a server that keeps the connection open after
 * it cannot hold the call.
 */
public final class StreamPump {
    private static final int BUFFER_BYTES = 8 * 1024;

    private StreamPump() {}

    /** A framing callback that may end the stream with a provider error. */
    @FunctionalInterface
    public interface Handler<T> {
        void accept(T item) throws ProviderException;
    }

    /** Adapts {@code handler} to the parser's callback type. */
    public static <T> Consumer<T> rethrowing(Handler<T> handler) {
        return item -> {
            try {
                handler.accept(item);
            } catch (ProviderException e) {
                throw new Failure(e);
            }
        };
    }

    /**
     * Feeds {@code body} to {@code parser} until EOF (then calls {@link ByteSink#finish()}, which may
     * still deliver a last event or line) or until {@code done} turns true. Does not close the body.
     */
    public static void pump(String provider, InputStream body, ByteSink parser, BooleanSupplier done)
            throws ProviderException, IOException {
        try {
            byte[] buffer = new byte[BUFFER_BYTES];
            for (int n; !done.getAsBoolean() && (n = body.read(buffer)) != -1; ) {
                parser.feed(buffer, 0, n);
            }
            if (!done.getAsBoolean()) {
                parser.finish();
            }
        } catch (Failure f) {
            throw f.error;
        } catch (FramingException e) {
            throw ProviderException.protocol(provider + " sent a stream that cannot be framed: " + e.getMessage());
        }
    }

    /** Carries a handler's checked error through the parser. */
    private static final class Failure extends RuntimeException {
        @Serial private static final long serialVersionUID = 1L;
        private final transient ProviderException error;

        Failure(ProviderException error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }
}
