package dev.tokenlog.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Random secrets kept in files only their owner can read. */
final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** Writes 32 random bytes (hex) to {@code file} unless it exists; returns the file's secret. */
    static String writeIfMissing(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            Files.createDirectories(file.getParent());
            Files.writeString(file, HexFormat.of().formatHex(bytes), StandardOpenOption.CREATE_NEW);
            ownerOnly(file);
        }
        return Files.readString(file).strip();
    }

    /** Makes {@code file} readable and writable by its owner alone (where the file system has POSIX permissions). */
    static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the directory's protection is all there is.
        }
    }
}
