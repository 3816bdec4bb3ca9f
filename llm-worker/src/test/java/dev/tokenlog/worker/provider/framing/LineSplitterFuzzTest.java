package dev.tokenlog.worker.provider.framing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.tokenlog.worker.fuzz.FuzzRun;
import dev.tokenlog.worker.fuzz.FuzzSeeds;
import dev.tokenlog.worker.fuzz.Pieces;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link LineSplitter} (both modes: a bare CR ends a line for SSE, not for NDJSON) with
 * arbitrary bytes in arbitrary pieces against a reference splitter written for clarity, not speed:
 * one leading BOM dropped, lines end at LF, at CR when CR ends lines, CRLF being one ending; a line
 * over the limit throws {@link FramingException} after the lines before it. The splitter must give
 * exactly the reference's lines, leftover and error, and nothing else may escape.
 */
class LineSplitterFuzzTest {
    private static final String METHOD = "splitsLikeTheReference";
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int SEED_LIMIT = 64 * 1024;
    private static FuzzRun run;

    @BeforeAll
    static void open() {
        run = FuzzRun.start("LineSplitter", "only FramingException escapes; lines, leftover and limit error equal a "
                + "reference splitter's, whatever the pieces", LineSplitterFuzzTest.class, METHOD, (int) seeds().count());
    }

    @AfterAll
    static void close() {
        run.close();
    }

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fixtures("openai-chat", "anthropic", "ollama").stream()
                .flatMap(body -> Stream.of(true, false).map(cr -> Arguments.of(body, FuzzSeeds.cuts(), SEED_LIMIT, cr)));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = FuzzRun.DURATION)
    void splitsLikeTheReference(byte @NotNull @WithLength(max = 16 * 1024) [] body,
            byte @NotNull @WithLength(max = 64) [] cuts, @InRange(min = 1, max = 1 << 20) int limit, boolean crEndsLine)
            throws Exception {
        run.check(() -> {
            Split actual = new Split(new ArrayList<>(), null, false);
            LineSplitter splitter = new LineSplitter((b, off, len) -> actual.lines().add(hex(b, off, len)), limit,
                    crEndsLine, "line");
            Split result;
            try {
                Pieces.feed(new ByteSink() {
                    @Override
                    public void feed(byte[] bytes, int offset, int length) {
                        splitter.feed(bytes, offset, length);
                    }

                    @Override
                    public boolean finish() {
                        throw new UnsupportedOperationException();
                    }
                }, body, cuts);
                boolean leftover = splitter.finish();
                splitter.flushPartial();
                result = new Split(actual.lines(), null, leftover);
            } catch (FramingException e) {
                result = new Split(actual.lines(), "over the limit", false);
            }

            assertThat(result).isEqualTo(reference(body, limit, crEndsLine));
        });
    }

    /** Lines as hex (byte-exact), the limit error if any, and whether an unterminated last line was left. */
    private record Split(List<String> lines, String error, boolean leftover) {}

    private static Split reference(byte[] body, int limit, boolean crEndsLine) {
        int start = startsWith(body, BOM) ? BOM.length : 0;
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = start; i < body.length; i++) {
            byte b = body[i];
            if (b == '\n' || b == '\r' && crEndsLine) {
                if (line.size() > limit) {
                    return new Split(lines, "over the limit", false);
                }
                lines.add(HexFormat.of().formatHex(line.toByteArray()));
                line.reset();
                if (b == '\r' && i + 1 < body.length && body[i + 1] == '\n') {
                    i++;
                }
            } else {
                line.write(b);
            }
        }
        if (line.size() > limit) {
            return new Split(lines, "over the limit", false);
        }
        if (line.size() > 0) {
            lines.add(HexFormat.of().formatHex(line.toByteArray())); // flushPartial
            return new Split(lines, null, true);
        }
        return new Split(lines, null, false);
    }

    private static boolean startsWith(byte[] body, byte[] prefix) {
        return body.length >= prefix.length
                && java.util.Arrays.equals(body, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String hex(byte[] b, int off, int len) {
        return HexFormat.of().formatHex(b, off, off + len);
    }
}
