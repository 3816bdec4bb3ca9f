package dev.tokenlog.fanout.fold;

import java.time.Instant;
import java.util.UUID;

/** Reads the creation time out of a UUIDv7 request id (RFC 9562, section 5.7). */
final class UuidV7 {
    private UuidV7() {}

    /** The id's unix-ms timestamp (its first 48 bits), or null when the id is not a UUIDv7. */
    static Instant timestampOf(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
        if (uuid.version() != 7 || uuid.variant() != 2 || id.length() != 36) {
            return null;
        }
        return Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16);
    }
}
