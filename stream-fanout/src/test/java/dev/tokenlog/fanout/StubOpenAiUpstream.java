package dev.tokenlog.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The LLM provider behind the worker in the SDK tests: a local HTTP server speaking OpenAI's
 * streamed Chat Completions, which answers every call with one recorded stream (reasoning, then a
 * tool call whose arguments arrive in two pieces, then usage) and keeps the bodies it was sent.
 * It stands in for the external provider only; the worker and the gateway are the real ones.
 */
final class StubOpenAiUpstream implements AutoCloseable {
    /** The tool call the stream makes. */
    static final String CALL_ID = "call_abc";
    static final String ARGUMENTS = "{\"city\":\"Paris\"}";
    static final String REASONING = "The user wants the weather.";

    private static final String HEAD = "{\"id\":\"up-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"tool-model\",\"choices\":";
    private static final String STREAM = String.join("", List.of(
            event(HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\""
                    + REASONING + "\"},\"finish_reason\":null}]}"),
            event(HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"" + CALL_ID + "\",\"type\":"
                    + "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}"),
            event(HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                    + "\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}"),
            event(HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                    + "\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}"),
            event(HEAD + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
            event(HEAD + "[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}}"),
            event("[DONE]")));

    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

    private StubOpenAiUpstream(HttpServer server) {
        this.server = server;
    }

    static StubOpenAiUpstream start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        StubOpenAiUpstream stub = new StubOpenAiUpstream(server);
        server.createContext("/v1/chat/completions", exchange -> {
            try (exchange) {
                stub.requests.add(TestJson.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return stub;
    }

    /** The base URL the worker's provider entry points at. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The request bodies received so far, oldest first. */
    List<JsonNode> requests() {
        return requests;
    }

    private static String event(String data) {
        return "data: " + data + "\n\n";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
