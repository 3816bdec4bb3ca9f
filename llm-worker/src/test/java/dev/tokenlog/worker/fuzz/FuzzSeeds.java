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
 * provider traffic rather than from nothing.
 */
public final class FuzzSeeds {
    /** The piece lengths every seed is fed in: 61-byte reads, so events straddle reads. */
    private static final byte[] CUTS = {61};

    private FuzzSeeds() {}

    /** The fixture bodies of {@code providers} (directory names under fixtures/), in name order. */
    public static List<byte[]> fixtures(String... providers) {
        return Arrays.stream(providers).flatMap(FuzzSeeds::files).map(FuzzSeeds::read).toList();
    }

    /** The piece lengths the seeds use (a fresh copy: Jazzer may mutate it). */
    public static byte[] cuts() {
        return CUTS.clone();
    }

    private static Stream<Path> files(String provider) {
        URL dir = FuzzSeeds.class.getResource("/fixtures/" + provider);
        if (dir == null) {
            throw new IllegalArgumentException("no fixtures for " + provider + " on the test classpath");
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
