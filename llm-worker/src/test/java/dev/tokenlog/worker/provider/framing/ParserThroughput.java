package dev.tokenlog.worker.provider.framing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.function.Function;

/**
 * Rough throughput of the parsers over a large synthetic OpenAI-style stream, for humans: not a
 * test and not a benchmark harness (no JMH). Run after {@code test-compile} with
 * {@code java -cp llm-worker/target/classes:llm-worker/target/test-classes
 * dev.tokenlog.worker.provider.framing.ParserThroughput}.
 */
public final class ParserThroughput {

    private static final int EVENTS = 200_000;
    private static final int ROUNDS = 10;

    private ParserThroughput() {}

    public static void main(String[] args) throws IOException {
        StringBuilder sse = new StringBuilder();
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            String chunk = "{\"id\":\"chatcmpl-9x\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok" + i
                    + "\"},\"finish_reason\":null}]}";
            sse.append("data: ").append(chunk).append("\n\n");
            ndjson.append(chunk).append('\n');
        }
        sse.append("data: [DONE]\n\n");
        measure("SSE", sse.toString().getBytes(UTF_8), count -> new SseParser(event -> {
            count[0]++;
            count[1] += event.data().length(); // uses the string, so the JIT cannot drop it
        }));
        measure("NDJSON", ndjson.toString().getBytes(UTF_8), count -> new NdjsonParser(line -> {
            count[0]++;
            count[1] += line.length();
        }));
    }

    private static void measure(String name, byte[] body, Function<long[], ByteSink> parser) throws IOException {
        for (int round = 1; round <= ROUNDS; round++) {
            long[] count = new long[2];
            long start = System.nanoTime();
            Framing.pump(new ByteArrayInputStream(body), parser.apply(count));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (round > ROUNDS / 2) { // the first rounds warm up the JIT
                System.out.printf("%-6s round %2d: %,d events, %.1f MB in %.3f s = %,.0f events/s, %.0f MB/s%n",
                        name, round, count[0], body.length / 1e6, seconds, count[0] / seconds,
                        body.length / 1e6 / seconds);
            }
        }
    }
}
