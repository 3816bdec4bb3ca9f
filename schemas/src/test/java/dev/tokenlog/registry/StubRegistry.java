package dev.tokenlog.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny in-process HTTP server answering a few Confluent registry calls, for unit tests of the
 * client alone (headers sent, caching, status mapping). Integration tests use the real registry.
 */
public final class StubRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsBySchema = new ConcurrentHashMap<>();
    private volatile int forcedStatus;
    private volatile String forcedBody = "";

    public StubRegistry() throws IOException {
        this(null);
    }

    /** A stub serving HTTPS with {@code tls}'s key and certificate, or plain HTTP when null. */
    public StubRegistry(SSLContext tls) throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(loopback, 0);
        } else {
            HttpsServer https = HttpsServer.create(loopback, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL to configure the client with. */
    public String url() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every following request is answered with this status and body. */
    public void failWith(int status, String body) {
        forcedBody = body;
        forcedStatus = status;
    }

    /** Makes {@code schema} known under {@code id} for GET /schemas/ids/{id}. */
    public void putSchema(int id, String schema) {
        schemasById.put(id, schema);
    }

    public List<String> authorizations() {
        return authorizations;
    }

    public int requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "" : auth);
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (forcedStatus != 0) {
            reply(exchange, forcedStatus, forcedBody);
        } else if (path.startsWith("/schemas/ids/")) {
            String schema = schemasById.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
            reply(exchange, schema == null ? 404 : 200, schema == null
                    ? "{\"error_code\":40403,\"message\":\"Schema not found\"}"
                    : JSON.writeValueAsString(Map.of("schema", schema)));
        } else if (path.endsWith("/versions") && exchange.getRequestMethod().equals("POST")) {
            JsonNode request = JSON.readTree(body);
            String schema = request.path("schema").asText();
            int id = idsBySchema.computeIfAbsent(schema, s -> schemasById.size() + 1);
            schemasById.put(id, schema);
            reply(exchange, 200, "{\"id\":" + id + "}");
        } else {
            reply(exchange, 404, "{\"error_code\":40401,\"message\":\"Subject not found\"}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
