package dev.tokenlog.worker.provider.http;

import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Opens a streaming HTTP call for an adapter: sends the request (on the shared {@link VertxTransport},
 * following redirects like the JDK's {@code Redirect.NORMAL}), turns connect failures and non-2xx answers
 * into {@link ProviderException}s via {@link HttpErrors}, checks the content type, and hands the body to
 * the stream's stop hook so a cancel or timeout closes it (a blocked read then returns).
 */
public final class HttpStreaming {
    private static final Logger LOG = Logger.getLogger(HttpStreaming.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final VertxTransport transport = VertxTransport.shared();
    private final Duration connectTimeout;
    private final String provider;
    private final Secrets secrets;

    /**
     * @param provider entry name, used in messages; @param connectTimeout the entry's, unless a call has
     * its own; @param secrets removed from every message
     */
    public HttpStreaming(String provider, Duration connectTimeout, Secrets secrets) {
        this.connectTimeout = connectTimeout;
        this.provider = provider;
        this.secrets = secrets;
    }

    /**
     * Sends {@code request} and returns the body of a successful response whose content type starts
     * with {@code expectedType} (e.g. {@code text/event-stream}, {@code application/x-ndjson}; null
     * accepts any).
     */
    public InputStream open(HttpRequest request, ProviderCall call, String expectedType)
            throws ProviderException, IOException, InterruptedException {
        return send(request, call, expectedType, false);
    }

    /**
     * As {@link #open}, except that an HTTP 401 answer is returned as empty (its body read and closed),
     * so an adapter whose credential expires (an IAM token) can renew it and try once more.
     */
    public Optional<InputStream> openUnlessUnauthorized(HttpRequest request, ProviderCall call, String expectedType)
            throws ProviderException, IOException, InterruptedException {
        return Optional.ofNullable(send(request, call, expectedType, true));
    }

    private InputStream send(HttpRequest request, ProviderCall call, String expectedType, boolean passUnauthorized)
            throws ProviderException, IOException, InterruptedException {
        VertxExchange body = exchange(request, call);
        call.onStop().closeOnStop(body);
        int status = body.status();
        if (status == 401 && passUnauthorized) {
            read(body);
            return null;
        }
        if (status / 100 != 2) {
            String text = read(body);
            throw HttpErrors.fromStatus(provider, status, body.headers(), text, secrets);
        }
        String type = body.headers().firstValue("content-type").orElse("");
        if (expectedType != null && !type.toLowerCase().startsWith(expectedType) && !lenientJson(type, expectedType)) {
            String text = read(body);
            throw ProviderException.protocol(provider + " answered HTTP " + status + " with content type '" + type
                    + "' instead of " + expectedType + ": " + secrets.scrub(ErrorBodies.message(text)));
        }
        return body;
    }

    /** The exchange whose response is not a redirect to follow, its head received. */
    private VertxExchange exchange(HttpRequest request, ProviderCall call)
            throws ProviderException, IOException, InterruptedException {
        Duration connect = call.connectTimeout() != null ? call.connectTimeout() : connectTimeout;
        long timeout = request.timeout().map(Duration::toMillis).orElse(0L);
        byte[] body = RequestBodies.of(request);
        String method = request.method();
        URI uri = request.uri();
        for (int hops = 0; ; hops++) {
            VertxExchange exchange = transport.start(request, method, uri, body, connect);
            awaitHead(exchange, uri, timeout);
            Optional<Redirects.Hop> hop = hops < Redirects.MAX
                    ? Redirects.next(method, uri, exchange.status(), exchange.headers().firstValue("location"))
                    : Optional.empty();
            if (hop.isEmpty()) {
                return exchange;
            }
            read(exchange);
            method = hop.get().method();
            uri = hop.get().uri();
            body = hop.get().keepsBody() ? body : null;
        }
    }

    private void awaitHead(VertxExchange exchange, URI uri, long timeoutMillis)
            throws ProviderException, IOException, InterruptedException {
        try {
            exchange.awaitHead(timeoutMillis);
        } catch (VertxExchange.NotConnected e) {
            // The address and the cause go to the log only: the message reaches clients in Failed.message.
            LOG.warnf("cannot connect to %s at %s:%d: %s", provider, uri.getHost(), port(uri), e.getMessage());
            throw new ProviderException("CONNECT_ERROR", "cannot connect to " + provider + " (check tokenlog.providers."
                    + provider + ".base-url; the worker's log names the address)", true);
        } catch (TimeoutException e) {
            throw new ProviderException("PROVIDER_TIMEOUT", provider + " did not answer in time", true);
        }
    }

    /** Some OpenAI-compatible servers label NDJSON or SSE as JSON; the framing decides then. */
    private static boolean lenientJson(String type, String expected) {
        return type.startsWith("application/json") && !expected.equals("text/event-stream");
    }

    private static int port(URI uri) {
        int port = uri.getPort();
        return port != -1 ? port : "https".equals(uri.getScheme()) ? 443 : 80;
    }

    private static String read(InputStream body) throws IOException {
        try (body) {
            return new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }
}
