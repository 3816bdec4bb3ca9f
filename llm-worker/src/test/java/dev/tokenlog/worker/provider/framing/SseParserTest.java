package dev.tokenlog.worker.provider.framing;

import static dev.tokenlog.worker.provider.framing.Feeds.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SseParser} against a table of named framing cases (PROVIDERS.md "SSE framing" and "Edge
 * cases"), each checked in one feed, split in two at every offset, and one byte at a time.
 */
class SseParserTest {

    private static final int LIMIT = 1024;
    private static final int DEFAULT = SseParser.DEFAULT_MAX_EVENT_BYTES;

    /** One row: the input and everything the parser must report for it, however it is split. */
    record Case(String name, byte[] input, int maxEventBytes, Outcome expected) {
        Case truncated() {
            return new Case(name, input, maxEventBytes,
                    new Outcome(expected.events(), true, expected.comments(), null));
        }

        Case comments(long count) {
            return new Case(name, input, maxEventBytes,
                    new Outcome(expected.events(), expected.truncated(), count, null));
        }

        Case limit(int max) {
            return new Case(name, input, max, expected);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** What parsing produced; {@code error} is the FramingException message, or null. */
    record Outcome(List<SseEvent> events, boolean truncated, long comments, String error) {}

    static Stream<Case> cases() {
        return Stream.of(
                ok("single event", "data: hello\n\n", msg("hello")),
                ok("data without the space after the colon", "data:hello\n\n", msg("hello")),
                ok("only one leading space is stripped", "data:  two \n\n", msg(" two ")),
                ok("a line without a colon is a field with an empty value", "data\n\n", msg("")),
                ok("empty data dispatches an event with empty data", "data:\n\ndata: \n\n",
                        msg(""), msg("")),
                ok("multi-line data joins with LF", "data: a\ndata:\ndata: b\n\n", msg("a\n\nb")),
                ok("many events in one read", IntStream.range(0, 200)
                                .mapToObj(i -> "data: {\"i\":" + i + "}\n\n").reduce("", String::concat),
                        IntStream.range(0, 200).mapToObj(i -> msg("{\"i\":" + i + "}"))
                                .toArray(SseEvent[]::new)),
                ok("multibyte characters split at every byte", "data: é€😀 中文\n\n", msg("é€😀 中文")),
                ok("malformed UTF-8 becomes U+FFFD", bytes("data: ", 0x80, " ", 0xC0, 0xAF, " ", 0xE2,
                        0x82, "\n\n"), msg("\uFFFD \uFFFD\uFFFD \uFFFD")),
                ok("an incomplete sequence ending a data line does not swallow the next",
                        bytes("data: ", 0xE2, 0x82, "\ndata: ", 0xAC, "\n\n"), msg("\uFFFD\n\uFFFD")),
                ok("U+2028, U+2029 and NEL inside JSON are not line ends",
                        "data: {\"t\":\"a\u2028b\u2029c\u0085d\"}\n\n", msg("{\"t\":\"a\u2028b\u2029c\u0085d\"}")),
                ok("CRLF stream", "data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", msg("a\nb"), msg("c")),
                ok("bare-CR stream", "data: a\rdata: b\r\rdata: c\r\r", msg("a\nb"), msg("c")),
                ok("CR LF is one line ending, LF CR and CR CR are two", "data: a\r\n\ndata: b\n\rdata: c\r\r\n",
                        msg("a"), msg("b"), msg("c")),
                ok("comments and keep-alives are counted, not dispatched",
                        ": keep-alive\n\n:ping\ndata: a\n: between lines\ndata: b\n\n:\n", msg("a\nb"))
                        .comments(4),
                ok("event: ping is an ordinary event", "event: ping\ndata: {\"type\": \"ping\"}\n\n",
                        ev("ping", "{\"type\": \"ping\"}", null)),
                ok("a leading BOM is dropped", "\uFEFFdata: a\n\n", msg("a")),
                ok("a second BOM is kept, making the first field unknown",
                        "\uFEFF\uFEFFdata: a\n\ndata: b\n\n", msg("b")),
                ok("a BOM inside data is kept", "\uFEFFdata: \uFEFFa\n\n", msg("\uFEFFa")),
                ok("a BOM after the start is content", "data: a\n\n\uFEFFdata: b\n\n", msg("a")),
                ok("an incomplete BOM is content, not a comment", bytes(0xEF, 0xBB, ": c\ndata: a\n\n"),
                        msg("a")),
                ok("an incomplete BOM at EOF is an unterminated line", bytes(0xEF, 0xBB)).truncated(),
                ok("unknown fields, retry and case-different names are ignored",
                        "foo: bar\nretry: 3000\nretry: soon\nDATA: x\n data: y\ndata: a\n\n", msg("a")),
                ok("EOF inside a line discards it", "data: a\n\ndata: b", msg("a")).truncated(),
                ok("EOF after a data line without the blank line", "data: a\n").truncated(),
                ok("EOF after an event line only", "event: x\n").truncated(),
                ok("EOF after a line ended by a bare CR", "data: a\r").truncated(),
                ok("a bare CR as the final blank line completes the event", "data: a\r\r", msg("a")),
                ok("EOF after a final comment is clean", "data: a\n\n: bye\n", msg("a")).comments(1),
                ok("empty stream", ""),
                ok("event name resets after each dispatch",
                        "event: a\ndata: 1\n\ndata: 2\n\nevent: b\n\nevent:\ndata: 3\n\n",
                        ev("a", "1", null), msg("2"), msg("3")),
                ok("id is sticky across events", "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n",
                        ev("message", "a", "1"), ev("message", "b", "1"), ev("message", "c", "2")),
                ok("an id from an event without data still sticks", "id: 7\n\ndata: x\n\n",
                        ev("message", "x", "7")),
                ok("an id containing NUL is ignored", "id: 1\ndata: a\n\nid: 2\u0000x\ndata: b\n\n",
                        ev("message", "a", "1"), ev("message", "b", "1")),
                ok("an empty id clears the last event id", "id: 1\ndata: a\n\nid\ndata: b\n\n",
                        ev("message", "a", "1"), msg("b")),
                ok("OpenAI chat: [DONE] is passed through as data",
                        "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n: keep-alive\n\n"
                                + "data: [DONE]\n\n",
                        msg("{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}"), msg("[DONE]")).comments(1),
                ok("Gemini: CRLF CRLF separators",
                        "data: {\"candidates\":[]}\r\n\r\ndata: {\"usageMetadata\":{}}\r\n\r\n",
                        msg("{\"candidates\":[]}"), msg("{\"usageMetadata\":{}}")),
                ok("Anthropic: named events", """
                        event: message_start
                        data: {"type":"message_start"}

                        event: ping
                        data: {"type": "ping"}

                        event: content_block_delta
                        data: {"type":"content_block_delta","delta":{"text":"Hi"}}

                        event: message_stop
                        data: {"type":"message_stop"}

                        """,
                        ev("message_start", "{\"type\":\"message_start\"}", null),
                        ev("ping", "{\"type\": \"ping\"}", null),
                        ev("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}",
                                null),
                        ev("message_stop", "{\"type\":\"message_stop\"}", null)),
                ok("an event of 1 MiB fits the default limit", "data: " + "x".repeat(1 << 20) + "\n\n",
                        msg("x".repeat(1 << 20))).limit(DEFAULT),
                ok("data of exactly the limit is accepted",
                        "data: " + "a".repeat(511) + "\ndata: " + "b".repeat(512) + "\n\n",
                        msg("a".repeat(511) + "\n" + "b".repeat(512))),
                fails("data over the limit across lines fails after the earlier events",
                        "data: ok\n\n" + ("data: " + "x".repeat(400) + "\n").repeat(3) + "\n", LIMIT,
                        "SSE event data exceeds the limit of 1024 bytes", msg("ok")),
                fails("a line over the limit fails before it ends", "event: " + "z".repeat(2000), LIMIT,
                        "SSE line exceeds the limit of 1024 bytes"),
                fails("data over the default limit of 8 MiB fails",
                        ("data: " + "x".repeat(DEFAULT / 2) + "\n").repeat(2) + "\n", DEFAULT,
                        "SSE event data exceeds the limit of 8388608 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesInOneFeed(Case c) {
        assertThat(run(c, Feeds::whole)).isEqualTo(c.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesTheSameSplitInTwoAtEveryOffset(Case c) {
        for (int at : Feeds.splitOffsets(c.input().length)) {
            assertThat(run(c, (sink, input) -> Feeds.splitAt(sink, input, at)))
                    .as("split at byte %d", at).isEqualTo(c.expected());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesTheSameOneByteAtATime(Case c) {
        assertThat(run(c, Feeds::oneByteAtATime)).isEqualTo(c.expected());
    }

    @Test
    void rejectsFeedsAfterFinish() {
        SseParser parser = new SseParser(event -> {});
        parser.finish();
        assertThatThrownBy(() -> parser.feed(new byte[] {'x'}, 0, 1))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new SseParser(event -> {}, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Outcome run(Case c, BiConsumer<ByteSink, byte[]> feeds) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add, c.maxEventBytes());
        try {
            feeds.accept(parser, c.input());
            boolean truncated = parser.finish();
            return new Outcome(events, truncated, parser.comments(), null);
        } catch (FramingException e) {
            return new Outcome(events, false, parser.comments(), firstSentence(e.getMessage()));
        }
    }

    private static String firstSentence(String message) {
        return message.substring(0, message.indexOf(';'));
    }

    private static SseEvent msg(String data) {
        return new SseEvent("message", data, null);
    }

    private static SseEvent ev(String event, String data, String id) {
        return new SseEvent(event, data, id);
    }

    /** A case expecting these events, no truncation, no comments, under the 1 KiB test limit. */
    private static Case ok(String name, Object input, SseEvent... events) {
        return new Case(name, bytes(input), LIMIT, new Outcome(Arrays.asList(events), false, 0, null));
    }

    private static Case fails(String name, String input, int limit, String error, SseEvent... before) {
        return new Case(name, bytes(input), limit, new Outcome(Arrays.asList(before), false, 0, error));
    }
}
