package dev.tokenlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's LLM provider: an OpenAI-compatible {@code POST /v1/chat/completions} that streams
 * {@code chat.completion.chunk} events at a fixed rate, each token's content being its emit time in
 * epoch microseconds followed by a space. The worker calls it through its ordinary OpenAI adapter, and
 * the baseline client reads it directly, so both see the same provider.
 *
 * <p>The stream's shape comes from the model name, because the worker passes only the model on:
 * {@code <tokens per second>-<tokens>-<ms before the first token>}, e.g. {@code 20-100-0}; a rate of
 * 0 streams as fast as the connection takes it. Each request runs on its own virtual thread and paces
 * itself against absolute deadlines, so a late token does not delay the following ones.
 */
final class MockProvider implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong streamsFinished = new AtomicLong();
    private final AtomicLong tokensEmitted = new AtomicLong();

    MockProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8192);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    /** Base URL as OpenAI's SDKs name it (the worker appends {@code /chat/completions}). */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Model name (without provider prefix) of a stream of this shape. */
    static String model(double tps, int tokens, long ttftMs) {
        return (tps == Math.rint(tps) ? String.valueOf((long) tps) : String.valueOf(tps)) + "-" + tokens + "-" + ttftMs;
    }

    long streamsFinished() {
        return streamsFinished.get();
    }

    long tokensEmitted() {
        return tokensEmitted.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String[] shape = body.path("model").asText().split("-");
            if (shape.length != 3) {
                byte[] error = "{\"error\":{\"message\":\"model must be <tps>-<tokens>-<ttft-ms>\",\"type\":\"invalid_request_error\"}}"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            double tps = Double.parseDouble(shape[0]);
            int tokens = Integer.parseInt(shape[1]);
            long ttftMs = Long.parseLong(shape[2]);
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            stream(exchange.getResponseBody(), tps, tokens, ttftMs);
            streamsFinished.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The reader went away (a cancelled stream or a closed baseline client): nothing to do.
        }
    }

    private void stream(OutputStream out, double tps, int tokens, long ttftMs) throws IOException, InterruptedException {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttftMs);
        for (int i = 0; i < tokens; i++) {
            if (tps > 0) {
                sleepUntil(start + (long) (i * 1e9 / tps));
            } else if (i == 0) {
                sleepUntil(start);
            }
            String role = i == 0 ? "\"role\":\"assistant\"," : "";
            write(out, "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"bench\","
                    + "\"choices\":[{\"index\":0,\"delta\":{" + role + "\"content\":\"" + Micros.now() + " \"},"
                    + "\"finish_reason\":null}]}");
            tokensEmitted.incrementAndGet();
        }
        write(out, "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"bench\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        write(out, "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"bench\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":" + tokens + ",\"total_tokens\":"
                + (tokens + 1) + "}}");
        write(out, "[DONE]");
    }

    private static void write(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
