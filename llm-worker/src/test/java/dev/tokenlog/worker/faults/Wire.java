package dev.tokenlog.worker.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.contract.FixtureServer.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Provider wire bodies for the fault server: the recorded fixtures of {@code src/test/resources/fixtures},
 * cut into their events, and OpenAI Chat Completions events written by hand where a fault needs one.
 */
final class Wire {
    static final String SSE = "text/event-stream";
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json";
    static final String DONE = "data: [DONE]\n\n";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Wire() {}

    /** A recorded stream, e.g. {@code fixture("openai-chat", "text.sse")}. */
    static String fixture(String provider, String file) {
        try {
            return Files.readString(Path.of("src/test/resources/fixtures", provider, file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code n} events (SSE, blank-line separated) or lines (NDJSON) of a recorded stream, as sent. */
    static String first(int n, String body) {
        String separator = body.contains("\r\n\r\n") ? "\r\n\r\n" : body.contains("\n\n") ? "\n\n" : "\n";
        List<String> units = new ArrayList<>();
        for (String unit : body.split(separator)) {
            if (!unit.isBlank()) {
                units.add(unit + separator);
            }
        }
        return String.join("", units.subList(0, n));
    }

    /** An OpenAI chunk whose delta carries {@code text}. */
    static String openAiText(String text) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":" + json(text) + "},\"finish_reason\":null}]}\n\n";
    }

    /** The OpenAI chunk that ends the answer with {@code finish_reason: stop}. */
    static String openAiStop() {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    }

    /** A 200 event stream made of {@code pieces}, each written and flushed on its own. */
    static Reply sse(String... pieces) {
        return Reply.stream(SSE, "").pieces(utf8(pieces));
    }

    /** A 200 event stream of raw bytes (one piece). */
    static Reply sse(byte[] body) {
        return Reply.stream(SSE, body);
    }

    static Reply ndjson(String body) {
        return Reply.stream(NDJSON, body);
    }

    /** An error answer with a JSON body. */
    static Reply error(int status, String body) {
        return Reply.error(status, Map.of("content-type", JSON), body);
    }

    static List<byte[]> utf8(String... pieces) {
        return java.util.Arrays.stream(pieces).map(p -> p.getBytes(StandardCharsets.UTF_8)).toList();
    }

    private static String json(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
