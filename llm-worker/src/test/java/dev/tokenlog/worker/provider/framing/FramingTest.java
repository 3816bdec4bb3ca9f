package dev.tokenlog.worker.provider.framing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link Framing#pump} over real input streams, with events straddling its 8 KiB buffers. */
class FramingTest {

    /** 500 OpenAI-style chunks, about 20 KiB, so several events cross a buffer boundary. */
    private static final List<String> CHUNKS = IntStream.range(0, 500)
            .mapToObj(i -> "{\"choices\":[{\"delta\":{\"content\":\"token " + i + " é€\"}}]}").toList();

    @Test
    void pumpsAnSseStreamAcrossBufferBoundaries() throws IOException {
        StringBuilder body = new StringBuilder();
        CHUNKS.forEach(chunk -> body.append("data: ").append(chunk).append("\r\n\r\n"));
        body.append("data: [DONE]\r\n\r\n");
        assertThat(body.length()).isGreaterThan(2 * Framing.BUFFER_BYTES);
        List<SseEvent> events = new ArrayList<>();

        boolean truncated = Framing.pump(stream(body.toString()), new SseParser(events::add));

        assertThat(truncated).isFalse();
        assertThat(events).extracting(SseEvent::data)
                .containsExactlyElementsOf(concat(CHUNKS, "[DONE]"));
    }

    @Test
    void reportsAnSseStreamCutMidEventAsTruncated() throws IOException {
        List<SseEvent> events = new ArrayList<>();

        boolean truncated = Framing.pump(stream("data: a\n\ndata: {\"choi"), new SseParser(events::add));

        assertThat(truncated).isTrue();
        assertThat(events).containsExactly(new SseEvent("message", "a", null));
    }

    @Test
    void pumpsAnNdjsonStreamWhoseLastLineHasNoNewline() throws IOException {
        List<String> lines = new ArrayList<>();

        boolean unterminated = Framing.pump(stream(String.join("\n", CHUNKS)), new NdjsonParser(lines::add));

        assertThat(unterminated).isTrue();
        assertThat(lines).containsExactlyElementsOf(CHUNKS);
    }

    @Test
    void propagatesTheStreamsIOExceptionWithoutFinishing() {
        InputStream failing = new SequenceInputStream(stream("data: a\n\n"), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
        List<SseEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> Framing.pump(failing, new SseParser(events::add)))
                .isInstanceOf(IOException.class).hasMessage("connection reset");
        assertThat(events).containsExactly(new SseEvent("message", "a", null));
    }

    private static InputStream stream(String body) {
        return new ByteArrayInputStream(body.getBytes(UTF_8));
    }

    private static List<String> concat(List<String> first, String last) {
        List<String> all = new ArrayList<>(first);
        all.add(last);
        return all;
    }
}
