package dev.tokenlog.worker.provider.gemini;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.tokenlog.worker.fuzz.FuzzRun;
import dev.tokenlog.worker.fuzz.FuzzSeeds;
import dev.tokenlog.worker.fuzz.MapperOutput;
import dev.tokenlog.worker.fuzz.Pieces;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.SseParser;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.StreamPump;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link GeminiStreamMapper} with arbitrary response bodies in arbitrary reads, read the way
 * {@link GeminiProvider} reads them, seeded with the recorded gemini fixtures: it reports
 * publishable, bounded events or fails with a {@link ProviderException}, and nothing else escapes
 * ({@link MapperOutput}).
 */
class GeminiStreamMapperFuzzTest {
    private static final String METHOD = "anyBodyGivesPublishableEventsOrAProviderError";
    private static FuzzRun run;

    @BeforeAll
    static void open() {
        run = FuzzRun.start("GeminiStreamMapper", "only ProviderException escapes; every event publishable; nothing after "
                + "Finished; no more events than input bytes, no event longer than the input",
                GeminiStreamMapperFuzzTest.class, METHOD, (int) seeds().count());
    }

    @AfterAll
    static void close() {
        run.close();
    }

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fixtures("gemini").stream().map(body -> Arguments.of(body, FuzzSeeds.cuts()));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = FuzzRun.DURATION)
    void anyBodyGivesPublishableEventsOrAProviderError(byte @NotNull @WithLength(max = 16 * 1024) [] body,
            byte @NotNull @WithLength(max = 64) [] cuts) throws Exception {
        run.check(() -> MapperOutput.check(body.length, sink -> read(body, cuts, sink)));
    }

    /** As {@link GeminiProvider#stream} does after opening the response. */
    private static void read(byte[] body, byte[] cuts, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException {
        GeminiStreamMapper mapper = new GeminiStreamMapper("fuzz", Secrets.of("sk-fuzz-0001"), sink);
        StreamPump.pump("fuzz", Pieces.stream(body, cuts), new SseParser(StreamPump.rethrowing(mapper::on)), () -> false);
        if (!mapper.complete()) {
            throw new ProviderException("TRUNCATED", "fuzz closed the stream before a finishReason", true);
        }
    }
}
