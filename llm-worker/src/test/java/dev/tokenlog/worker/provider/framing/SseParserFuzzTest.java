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
 * Fuzzes {@link SseParser} with arbitrary bytes in arbitrary pieces and an arbitrary size limit. The
 * oracle is the parser itself fed the same bytes in one piece: the pieces must change nothing, not
 * the events, not the truncation flag, not whether (and after which events) the limit was hit. Only
 * {@link FramingException} may escape, and the output is bounded by the input.
 */
class SseParserFuzzTest {
    private static final String METHOD = "piecesChangeNothingAndOnlyTheLimitThrows";
    /** Limit of the seeds: above any fixture event, so the seeds parse whole. */
    private static final int SEED_LIMIT = 64 * 1024;
    /** The shortest event: {@code data} and two line ends. */
    private static final int MIN_EVENT_BYTES = 6;
    private static FuzzRun run;

    @BeforeAll
    static void open() {
        run = FuzzRun.start("SseParser", "only FramingException escapes; pieces change no event; no event longer "
                + "than the input or the limit", SseParserFuzzTest.class, METHOD, (int) seeds().count());
    }

    @AfterAll
    static void close() {
        run.close();
    }

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fixtures("openai-chat", "openai-responses", "anthropic", "gemini", "watsonx").stream()
                .map(body -> Arguments.of(body, FuzzSeeds.cuts(), SEED_LIMIT));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = FuzzRun.DURATION)
    void piecesChangeNothingAndOnlyTheLimitThrows(byte @NotNull @WithLength(max = 16 * 1024) [] body,
            byte @NotNull @WithLength(max = 64) [] cuts, @InRange(min = 1, max = 1 << 20) int limit) throws Exception {
        run.check(() -> {
            Parsed whole = parse(body, limit, sink -> sink.feed(body, 0, body.length));
            Parsed pieces = parse(body, limit, sink -> Pieces.feed(sink, body, cuts));

            assertThat(pieces).isEqualTo(whole);
            assertThat(whole.events().size()).isLessThanOrEqualTo(body.length / MIN_EVENT_BYTES);
            for (SseEvent event : whole.events()) {
                assertThat(event.data().length()).isLessThanOrEqualTo(Math.min(body.length, limit));
                assertThat(event.event().length()).isLessThanOrEqualTo(Math.max(body.length, "message".length()));
                assertThat(event.id() == null ? 0 : event.id().length()).isLessThanOrEqualTo(body.length);
            }
        });
    }

    /** What a parse gave: its events, and then either the truncation flag or the limit error. */
    private record Parsed(List<SseEvent> events, Boolean truncated, String limitError) {}

    private static Parsed parse(byte[] body, int limit, Consumer<ByteSink> feeding) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add, limit);
        try {
            feeding.accept(parser);
            return new Parsed(events, parser.finish(), null);
        } catch (FramingException e) {
            return new Parsed(events, null, e.getMessage());
        }
    }
}
