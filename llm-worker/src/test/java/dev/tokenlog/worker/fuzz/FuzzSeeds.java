package dev.tokenlog.worker.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The recorded provider streams under {@code src/test/resources/fixtures/} as fuzzing seeds. Jazzer
 * takes the arguments of a method source placed before {@code @FuzzTest} as seeds: they run as
 * regression inputs in every build and start the fuzzer's corpus, so mutation begins from real
 * provider traffic rather than from nothing. Beside the recordings, {@code src/test/resources/fuzz-seeds/}
 * holds hand-made edge inputs (JSON {@code null} where an object or list element belongs), one event
 * each, that earlier fuzzing found or predicted: they run in every build too.
 */
public final class FuzzSeeds {
    /** The piece lengths every seed is fed in: 61-byte reads, so events straddle reads. */
    private static final byte[] CUTS = {61};

    private FuzzSeeds() {}

    /**
     * The fixture bodies of {@code providers} (directory names under fixtures/), in name order, then
     * their edge inputs under fuzz-seeds/, where a provider has some.
     */
    public static List<byte[]> fixtures(String... providers) {
        return Stream.concat(Arrays.stream(providers).flatMap(p -> files("/fixtures/" + p, true)),
                Arrays.stream(providers).flatMap(p -> files("/fuzz-seeds/" + p, false))).map(FuzzSeeds::read).toList();
    }

    /** The piece lengths the seeds use (a fresh copy: Jazzer may mutate it). */
    public static byte[] cuts() {
        return CUTS.clone();
    }

    private static Stream<Path> files(String resource, boolean required) {
        URL dir = FuzzSeeds.class.getResource(resource);
        if (dir == null && !required) {
            return Stream.empty();
        }
        if (dir == null) {
            throw new IllegalArgumentException("no " + resource + " on the test classpath");
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.filter(Files::isRegularFile).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
