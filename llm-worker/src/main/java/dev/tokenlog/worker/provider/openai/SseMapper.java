package dev.tokenlog.worker.provider.openai;

import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.FramingException;
import dev.tokenlog.worker.provider.framing.SseEvent;
import dev.tokenlog.worker.provider.framing.SseParser;
import dev.tokenlog.worker.provider.http.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * Drives one SSE response body through a provider's event mapping: bytes go to an {@link SseParser},
 * its events to {@link #onEvent}. Reading stops as soon as the mapping has ended (terminal event or
 * failure) rather than at EOF, so a server that keeps the connection open after its terminal marker
 * does not hold the stream; anything after the terminal is ignored.
 *
 * <p>The parser's callback cannot throw checked exceptions, so a {@link ProviderException} raised by
 * the mapping is kept, ends the mapping, and is thrown by {@link #read} once the parser returns.
 * Runtime exceptions of the sink (publishing failed) pass through untouched. Every error message
 * leaving here has the entry's secrets removed (a provider may echo a key, and protocol errors quote
 * the offending data).
 */
abstract class SseMapper implements Consumer<SseEvent> {
    private static final int BUFFER_BYTES = 8 * 1024;

    protected final String provider;
    protected final Consumer<ProviderEvent> sink;
    private final Secrets secrets;
    private ProviderException failure;
    private boolean ended;

    SseMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.secrets = secrets;
        this.sink = sink;
    }

    /** Maps one SSE event; may call {@link #end()} after reporting the terminal. */
    protected abstract void onEvent(SseEvent event) throws ProviderException;

    /**
     * The body ended before the mapping did. {@code cut} is true when the parser discarded an
     * unterminated event. Either reports the terminal or throws.
     */
    protected abstract void onEndOfBody(boolean cut) throws ProviderException;

    /** Marks the stream as ended: later events are ignored and reading stops. */
    protected final void end() {
        ended = true;
    }

    @Override
    public final void accept(SseEvent event) {
        if (ended) {
            return;
        }
        try {
            onEvent(event);
        } catch (ProviderException e) {
            failure = e;
            ended = true;
        }
    }

    /** Reads {@code body} until the mapping ends or the body does; throws what the mapping failed with. */
    final void read(InputStream body) throws ProviderException, IOException {
        SseParser parser = new SseParser(this);
        byte[] buffer = new byte[BUFFER_BYTES];
        try {
            while (!ended) {
                int n = body.read(buffer);
                if (n == -1) {
                    onEndOfBody(parser.finish());
                    end();
                } else {
                    parser.feed(buffer, 0, n);
                }
            }
        } catch (FramingException e) {
            failure = ProviderException.protocol(provider + " sent a malformed event stream: " + e.getMessage());
        } catch (ProviderException e) {
            failure = e;
        }
        if (failure != null) {
            throw new ProviderException(failure.code(), secrets.scrub(failure.getMessage()), failure.retryable(),
                    failure.retryAfter().orElse(null));
        }
    }
}
