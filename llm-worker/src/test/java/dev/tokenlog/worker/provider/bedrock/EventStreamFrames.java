package dev.tokenlog.worker.provider.bedrock;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

/**
 * Encodes readable Bedrock fixtures into real {@code application/vnd.amazon.eventstream} bytes with
 * the encoder the SDK itself decodes with. A fixture has one frame per line,
 * {@code <:message-type> <:event-type | :exception-type> <JSON payload>}; blank lines and lines
 * starting with {@code #} are skipped.
 */
final class EventStreamFrames {
    static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

    private EventStreamFrames() {}

    static byte[] encode(String fixture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : fixture.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(" ", 3);
            out.writeBytes(frame(parts[0], parts[1], parts[2]));
        }
        return out.toByteArray();
    }

    /** One frame: {@code messageType} is {@code event} or {@code exception}. */
    static byte[] frame(String messageType, String type, String json) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":message-type", HeaderValue.fromString(messageType));
        headers.put("event".equals(messageType) ? ":event-type" : ":exception-type", HeaderValue.fromString(type));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        var buffer = new Message(headers, json.getBytes(StandardCharsets.UTF_8)).toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
