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
 * {@link NdjsonParser} against a table of named framing cases, each checked in one feed, split in
 * two at every offset, and one byte at a time.
 */
class NdjsonParserTest {

    private static final int LIMIT = 1024;
    private static final int DEFAULT = NdjsonParser.DEFAULT_MAX_LINE_BYTES;

    /** One row: the input and everything the parser must report for it, however it is split. */
    record Case(String name, byte[] input, int maxLineBytes, Outcome expected) {
        Case unterminatedLastLine() {
            return new Case(name, input, maxLineBytes, new Outcome(expected.lines(), true, null));
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
    record Outcome(List<String> lines, boolean finalLineUnterminated, String error) {}

    static Stream<Case> cases() {
        return Stream.of(
                ok("lines ending in LF", "{\"a\":1}\n{\"a\":2}\n", "{\"a\":1}", "{\"a\":2}"),
                ok("CRLF line endings drop the CR", "{}\r\n[]\r\n", "{}", "[]"),
                ok("a bare CR is line content, not a line end", "{\"a\":\r1}\r\n", "{\"a\":\r1}"),
                ok("blank and whitespace-only lines are skipped", "\n{}\n\r\n \t\n\n[]\n", "{}", "[]"),
                ok("a final line without a newline is delivered", "{\"done\":false}\n{\"done\":true}",
                        "{\"done\":false}", "{\"done\":true}").unterminatedLastLine(),
                ok("a final line ending in a bare CR is delivered without it", "{}\r", "{}")
                        .unterminatedLastLine(),
                ok("final whitespace without a newline is not a line", "{}\n \t", "{}"),
                ok("empty stream", ""),
                ok("lines are not parsed as JSON", "not json\n[DONE]\n", "not json", "[DONE]"),
                ok("many lines in one read",
                        IntStream.range(0, 200).mapToObj(i -> "{\"i\":" + i + "}\n").reduce("", String::concat),
                        IntStream.range(0, 200).mapToObj(i -> "{\"i\":" + i + "}").toArray(String[]::new)),
                ok("multibyte characters split at every byte", "{\"t\":\"é€😀 中文\"}\n", "{\"t\":\"é€😀 中文\"}"),
                ok("malformed UTF-8 becomes U+FFFD", bytes("{\"t\":\"", 0x80, 0xE2, 0x82, "\"}\n"),
                        "{\"t\":\"\uFFFD\uFFFD\"}"),
                ok("U+2028, U+2029 and NEL are not line ends", "{\"t\":\"a\u2028b\u2029c\u0085d\"}\n",
                        "{\"t\":\"a\u2028b\u2029c\u0085d\"}"),
                ok("a leading BOM is dropped", "\uFEFF{}\n", "{}"),
                ok("a second BOM is kept", "\uFEFF\uFEFF{}\n", "\uFEFF{}"),
                ok("an incomplete BOM is content", bytes(0xEF, 0xBB, "{}\n"), "\uFFFD{}"),
                ok("a BOM after the start is content", "{}\n\uFEFF{}\n", "{}", "\uFEFF{}"),
                ok("Ollama chat stream", """
                        {"message":{"role":"assistant","content":"Hi"},"done":false}
                        {"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}
                        """,
                        "{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}",
                        "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}"),
                ok("Ollama mid-stream error is an ordinary line", "{\"message\":{}}\n{\"error\":\"boom\"}\n",
                        "{\"message\":{}}", "{\"error\":\"boom\"}"),
                ok("a line of 1 MiB fits the default limit", "\"" + "x".repeat(1 << 20) + "\"\n",
                        "\"" + "x".repeat(1 << 20) + "\"").limit(DEFAULT),
                ok("a line of exactly the limit is accepted", "x".repeat(LIMIT) + "\n", "x".repeat(LIMIT)),
                fails("a line over the limit fails after the earlier lines", "{}\n" + "x".repeat(LIMIT + 1) + "\n",
                        LIMIT, "{}"),
                fails("an unterminated line over the limit fails", "x".repeat(LIMIT + 1), LIMIT),
                fails("a CRLF line of exactly the limit fails: its CR counts", "x".repeat(LIMIT) + "\r\n", LIMIT),
                fails("a line over the default limit of 8 MiB fails", "x".repeat(DEFAULT + 1) + "\n", DEFAULT));
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
        NdjsonParser parser = new NdjsonParser(line -> {});
        parser.finish();
        assertThatThrownBy(() -> parser.feed(new byte[] {'x'}, 0, 1))
                .isInstanceOf(IllegalStateException.class);
    }

    private static Outcome run(Case c, BiConsumer<ByteSink, byte[]> feeds) {
        List<String> lines = new ArrayList<>();
        NdjsonParser parser = new NdjsonParser(lines::add, c.maxLineBytes());
        try {
            feeds.accept(parser, c.input());
            return new Outcome(lines, parser.finish(), null);
        } catch (FramingException e) {
            return new Outcome(lines, false, e.getMessage().substring(0, e.getMessage().indexOf(';')));
        }
    }

    /** A case expecting these lines, all terminated, under the 1 KiB test limit. */
    private static Case ok(String name, Object input, String... lines) {
        return new Case(name, bytes(input), LIMIT, new Outcome(Arrays.asList(lines), false, null));
    }

    private static Case fails(String name, String input, int limit, String... before) {
        String error = "NDJSON line exceeds the limit of " + limit + " bytes";
        return new Case(name, bytes(input), limit, new Outcome(Arrays.asList(before), false, error));
    }
}
