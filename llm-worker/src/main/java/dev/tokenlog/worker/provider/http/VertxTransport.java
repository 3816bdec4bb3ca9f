package dev.tokenlog.worker.provider.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.impl.VertxInternal;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's HTTP/1.1 client for provider streams: Vert.x (Netty) event loops read the sockets and
 * hand each buffer straight to the stream's reader ({@link VertxExchange}), one thread hand-off per read.
 *
 * <p>One process-wide instance ({@link #shared()}), because adapters are built with {@code new} (by the
 * registry and by tests) and a pool is only useful if shared. It has its own small Vert.x instance (daemon
 * threads, no metrics, no file cache) rather than Quarkus' (instrumented, and out of reach of {@code new}).
 *
 * <p>Each event loop is a lane with its own client, whose requests are issued from the lane's context, so
 * each connection of a lane lives on that loop; exchanges take lanes in turn. A lane's pool allows
 * {@link #MAX_CONNECTIONS_PER_HOST} connections per host (a stream holds its connection for minutes;
 * the worker's in-flight limit bounds how many streams exist); idle connections are kept 30 s, as the JDK
 * client did. TLS uses the JDK's default trust store with hostname verification.
 */
final class VertxTransport {
    static final int MAX_CONNECTIONS_PER_HOST = 8192;
    private static final int KEEP_ALIVE_SECONDS = 30;
    private static final int SOCKET_CONNECT_TIMEOUT_MS = 60_000;
    /** Headers that carry credentials: never sent on to another origin by a redirect. */
    static final Set<String> CREDENTIALS = Set.of("authorization", "proxy-authorization", "cookie", "x-api-key",
            "api-key", "x-goog-api-key");

    private record Lane(Context context, HttpClient client) {}

    private final Lane[] lanes;
    private final AtomicInteger next = new AtomicInteger();

    private VertxTransport(int eventLoops) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setUseDaemonThread(true)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
        HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS).setVerifyHost(true).setTryUseCompression(false)
                // The socket's own bound (Vert.x' default, 60 s): a request gives up at its connect timeout
                // (RequestOptions), the connection attempt behind it at this one.
                .setConnectTimeout(SOCKET_CONNECT_TIMEOUT_MS);
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_HOST);
        lanes = new Lane[eventLoops];
        for (int i = 0; i < eventLoops; i++) {
            // A fresh event-loop context per lane, each on the next loop of the group.
            Context context = ((VertxInternal) vertx).createEventLoopContext();
            lanes[i] = new Lane(context, vertx.httpClientBuilder().with(options).with(pool).build());
        }
    }

    static VertxTransport shared() {
        return Shared.INSTANCE;
    }

    private static final class Shared {
        static final VertxTransport INSTANCE = new VertxTransport(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Starts {@code method uri} with {@code request}'s headers (without its {@link #CREDENTIALS} when a
     * redirect led to another origin than the request's) and {@code body} (null: none); the caller
     * then awaits the head with {@link VertxExchange#awaitHead}.
     */
    VertxExchange start(HttpRequest request, String method, URI uri, byte[] body, Duration connectTimeout) {
        Lane lane = lanes[Math.floorMod(next.getAndIncrement(), lanes.length)];
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setAbsoluteURI(uri.toString())
                .setFollowRedirects(false) // HttpStreaming follows them (Redirects)
                .setConnectTimeout(Math.max(1, connectTimeout.toMillis()));
        boolean sameOrigin = sameOrigin(request.uri(), uri);
        request.headers().map().forEach((name, values) -> {
            if (sameOrigin || !CREDENTIALS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> options.addHeader(name, value));
            }
        });
        Buffer buffer = body == null ? null : Buffer.buffer(body);
        VertxExchange exchange = new VertxExchange(lane.context());
        lane.context().runOnContext(v -> exchange.start(lane.client(), options, buffer));
        return exchange;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
