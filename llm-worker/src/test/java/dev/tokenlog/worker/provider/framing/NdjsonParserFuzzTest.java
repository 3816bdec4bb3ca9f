package dev.tokenlog.worker.provider.framing;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.tokenlog.worker.fuzz.FuzzRun;
import dev.tokenlog.worker.fuzz.FuzzSeeds;
import dev.tokenlog.worker.fuzz.Pieces;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link NdjsonParser} with arbitrary bytes in arbitrary pieces and an arbitrary line limit.
 * The oracle is the parser fed the same bytes in one piece: the pieces must change nothing. Only
 * {@link FramingException} may escape; every line has more than JSON whitespace (RFC 8259 §2: space,
 * tab, CR; a form feed is content), has no LF, and is bounded by the input and the limit.
 */
class NdjsonParserFuzzTest {
    private static final String METHOD = "piecesChangeNothingAndOnlyTheLimitThrows";
    private static final int SEED_LIMIT = 64 * 1024;
    private static FuzzRun run;

    @BeforeAll
    static void open() {
        run = FuzzRun.start("NdjsonParser", "only FramingException escapes; pieces change no line; no blank line, "
                + "no line longer than the input or the limit", NdjsonParserFuzzTest.class, METHOD, (int) seeds().count());
    }

    @AfterAll
    static void close() {
        run.close();
    }

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fixtures("ollama").stream().map(body -> Arguments.of(body, FuzzSeeds.cuts(), SEED_LIMIT));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = FuzzRun.DURATION)
    void piecesChangeNothingAndOnlyTheLimitThrows(byte @NotNull @WithLength(max = 16 * 1024) [] body,
            byte @NotNull @WithLength(max = 64) [] cuts, @InRange(min = 1, max = 1 << 20) int limit) throws Exception {
        run.check(() -> {
            Parsed whole = parse(limit, sink -> sink.feed(body, 0, body.length));
            Parsed pieces = parse(limit, sink -> Pieces.feed(sink, body, cuts));

            assertThat(pieces).isEqualTo(whole);
            // A delivered line has a non-blank byte and, unless it is the last, an LF after it.
            assertThat(whole.lines().size()).isLessThanOrEqualTo((body.length + 1) / 2);
            assertThat(whole.lines()).allSatisfy(line -> {
                assertThat(line).doesNotContain("\n").hasSizeLessThanOrEqualTo(Math.min(body.length, limit));
                assertThat(line.chars()).as("not only JSON whitespace").anyMatch(c -> c != ' ' && c != '\t' && c != '\r');
            });
        });
    }

    /** What a parse gave: its lines, and then either the unterminated-last-line flag or the limit error. */
    private record Parsed(List<String> lines, Boolean lastLineUnterminated, String limitError) {}

    private static Parsed parse(int limit, Consumer<ByteSink> feeding) {
        List<String> lines = new ArrayList<>();
        NdjsonParser parser = new NdjsonParser(lines::add, limit);
        try {
            feeding.accept(parser);
            return new Parsed(lines, parser.finish(), null);
        } catch (FramingException e) {
            return new Parsed(lines, null, e.getMessage());
        }
    }
}
