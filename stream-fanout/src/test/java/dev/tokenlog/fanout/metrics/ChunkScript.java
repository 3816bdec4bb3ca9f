package dev.tokenlog.fanout.metrics;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.Usage;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The chunks of one attempt at explicit producedAt times, seq 0, 1, 2… as a worker writes them. */
final class ChunkScript {
    final String requestId;
    private final String attemptId;
    private long nextSeq;

    ChunkScript(String requestId, String attemptId) {
        this.requestId = requestId;
        this.attemptId = attemptId;
    }

    /** A new request created at {@code createdAt} (its UUIDv7 id carries that time), first attempt "a1". */
    static ChunkScript request(Instant createdAt) {
        return new ChunkScript(uuidV7(createdAt), "a1");
    }

    /** Another attempt of the same request. */
    ChunkScript retry(String newAttemptId) {
        return new ChunkScript(requestId, newAttemptId);
    }

    ChunkRecord started(Instant at, String provider, String model) {
        return next(at, new Started(provider, model, 0));
    }

    ChunkRecord text(Instant at, String text) {
        return next(at, new TextDelta(text));
    }

    ChunkRecord usage(Instant at, long output) {
        return next(at, new Usage(10L, output, 0L, 0L));
    }

    ChunkRecord completed(Instant at) {
        return next(at, new Completed(FinishReason.STOP, "stop"));
    }

    ChunkRecord failed(Instant at, String code) {
        return next(at, new Failed(code, "it broke", true, false));
    }

    ChunkRecord cancelled(Instant at) {
        return next(at, new Cancelled("user pressed stop"));
    }

    private ChunkRecord next(Instant at, Object event) {
        return new ChunkRecord(requestId, attemptId, nextSeq++, at, event);
    }

    /** A UUIDv7 (RFC 9562) whose 48-bit timestamp is {@code at}. */
    static String uuidV7(Instant at) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (at.toEpochMilli() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
