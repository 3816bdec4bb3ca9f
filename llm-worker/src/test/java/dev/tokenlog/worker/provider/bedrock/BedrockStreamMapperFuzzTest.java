package dev.tokenlog.worker.provider.bedrock;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.tokenlog.worker.fuzz.FuzzRun;
import dev.tokenlog.worker.fuzz.FuzzSeeds;
import dev.tokenlog.worker.fuzz.MapperOutput;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the Bedrock path from event-stream bytes to events: the AWS SDK's frame decoding and event
 * unmarshalling, {@link EventBridge} and {@link BedrockStreamMapper}, through the real
 * {@link BedrockProvider} against a local HTTP server. The fuzzed input is a readable fixture
 * ({@code <message-type> <event-type> <JSON>} per line, as in fixtures/bedrock/, which seed it),
 * encoded into frames with valid checksums so that mutations reach the unmarshalling and the mapper
 * rather than stopping at the CRC check; the frames are served in pieces of fuzzed sizes.
 */
class BedrockStreamMapperFuzzTest {
    private static final String METHOD = "anyFramesGivePublishableEventsOrAProviderError";
    private static FuzzRun run;
    private static FixtureServer server;
    private static Provider provider;

    @BeforeAll
    static void open() throws IOException {
        run = FuzzRun.start("BedrockStreamMapper", "only ProviderException escapes from BedrockProvider.stream; every "
                + "event publishable; nothing after Finished; no more events than input bytes, no event longer than "
                + "the input", BedrockStreamMapperFuzzTest.class, METHOD, (int) seeds().count());
        server = new FixtureServer();
        provider = new BedrockProvider(BedrockContractTest.settings(server.baseUrl(), Optional.of("fuzz-key-0001"),
                Map.of()));
    }

    @AfterAll
    static void close() {
        server.close();
        run.close();
    }

    static Stream<Arguments> seeds() {
        return FuzzSeeds.fixtures("bedrock").stream().map(body -> Arguments.of(body, FuzzSeeds.cuts()));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = FuzzRun.DURATION)
    void anyFramesGivePublishableEventsOrAProviderError(byte @NotNull @WithLength(max = 8 * 1024) [] fixture,
            byte @NotNull @WithLength(max = 16) [] cuts) throws Exception {
        run.check(() -> {
            byte[] frames = encode(new String(fixture, UTF_8));
            server.then(FixtureServer.Reply.stream(EventStreamFrames.CONTENT_TYPE, frames).pieces(pieces(frames, cuts)));
            // Jazzer's SSRF detector reports any connection not allowed; the SDK only talks to our server.
            try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections((host, port) ->
                    host.equals("127.0.0.1"))) {
                MapperOutput.check(fixture.length, sink -> {
                    try {
                        provider.stream(TestCalls.simple(), sink);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                });
            }
        });
    }

    /**
     * {@link EventStreamFrames#encode}, tolerant of lines with fewer than three parts; a line without
     * a message type or an event type is skipped, since the encoder refuses empty header values.
     */
    private static byte[] encode(String fixture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : fixture.split("\n")) {
            String[] parts = line.split(" ", 3);
            if (line.startsWith("#") || part(parts, 0).isEmpty() || part(parts, 1).isEmpty()) {
                continue;
            }
            out.writeBytes(EventStreamFrames.frame(parts[0], parts[1], part(parts, 2)));
        }
        return out.toByteArray();
    }

    private static String part(String[] parts, int i) {
        return i < parts.length ? parts[i] : "";
    }

    /** The frames cut into pieces of the fuzzed sizes (zero and a missing size: the rest in one piece). */
    private static List<byte[]> pieces(byte[] frames, byte[] cuts) {
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < frames.length; i++) {
            int size = i < cuts.length && cuts[i] != 0 ? Math.min(cuts[i] & 0xFF, frames.length - at) : frames.length - at;
            pieces.add(java.util.Arrays.copyOfRange(frames, at, at + size));
            at += size;
        }
        return pieces;
    }
}
