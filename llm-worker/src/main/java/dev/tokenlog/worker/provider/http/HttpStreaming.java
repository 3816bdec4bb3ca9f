package dev.tokenlog.worker.provider.http;

import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Opens a streaming HTTP call for an adapter: sends the request, turns connect failures and non-2xx
 * answers into {@link ProviderException}s via {@link HttpErrors}, checks the content type, and hands
 * the body to the stream's stop hook so a cancel or timeout closes it (a blocked read then returns).
 */
public final class HttpStreaming {
    private static final Logger LOG = Logger.getLogger(HttpStreaming.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** Distinct per-request connect timeouts given their own client; past that, the entry's is used. */
    static final int MAX_CONNECT_OVERRIDES = 8;

    private final HttpClient client;
    private final Duration connectTimeout;
    private final Map<Duration, HttpClient> overrides = new ConcurrentHashMap<>();
    private final String provider;
    private final Secrets secrets;

    /** @param provider entry name, used in messages; @param secrets removed from every message */
    public HttpStreaming(String provider, Duration connectTimeout, Secrets secrets) {
        this.client = newClient(connectTimeout);
        this.connectTimeout = connectTimeout;
        this.provider = provider;
        this.secrets = secrets;
    }

    private static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * The client for a call: the JDK client's connect timeout is per client, so a request's own
     * connect timeout gets a client of its own, shared by every call asking for the same value (a
     * handful of distinct values in practice; beyond {@link #MAX_CONNECT_OVERRIDES}, the entry's).
     */
    private HttpClient clientFor(ProviderCall call) {
        Duration wanted = call.connectTimeout();
        if (wanted == null || wanted.equals(connectTimeout)) {
            return client;
        }
        HttpClient own = overrides.get(wanted);
        if (own != null) {
            return own;
        }
        if (overrides.size() >= MAX_CONNECT_OVERRIDES) {
            return client;
        }
        return overrides.computeIfAbsent(wanted, HttpStreaming::newClient);
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
        HttpResponse<InputStream> response;
        try {
            response = clientFor(call).send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            // The address and the cause go to the log only: the message reaches clients in Failed.message.
            LOG.warnf("cannot connect to %s at %s:%d: %s", provider, request.uri().getHost(), port(request), e.toString());
            throw new ProviderException("CONNECT_ERROR", "cannot connect to " + provider + " (check tokenlog.providers."
                    + provider + ".base-url; the worker's log names the address)", true);
        } catch (HttpTimeoutException e) {
            throw new ProviderException("PROVIDER_TIMEOUT", provider + " did not answer in time", true);
        }
        InputStream body = response.body();
        call.onStop().closeOnStop(body);
        int status = response.statusCode();
        if (status == 401 && passUnauthorized) {
            read(body);
            return null;
        }
        if (status / 100 != 2) {
            String text = read(body);
            throw HttpErrors.fromStatus(provider, status, response.headers(), text, secrets);
        }
        String type = response.headers().firstValue("content-type").orElse("");
        if (expectedType != null && !type.toLowerCase().startsWith(expectedType) && !lenientJson(type, expectedType)) {
            String text = read(body);
            throw ProviderException.protocol(provider + " answered HTTP " + status + " with content type '" + type
                    + "' instead of " + expectedType + ": " + secrets.scrub(ErrorBodies.message(text)));
        }
        return body;
    }

    /** Some OpenAI-compatible servers label NDJSON or SSE as JSON; the framing decides then. */
    private static boolean lenientJson(String type, String expected) {
        return type.startsWith("application/json") && !expected.equals("text/event-stream");
    }

    private static int port(HttpRequest request) {
        int port = request.uri().getPort();
        return port != -1 ? port : "https".equals(request.uri().getScheme()) ? 443 : 80;
    }

    private static String read(InputStream body) throws IOException {
        try (body) {
            return new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }
}
