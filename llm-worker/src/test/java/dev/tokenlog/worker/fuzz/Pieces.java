package dev.tokenlog.worker.fuzz;

import dev.tokenlog.worker.provider.framing.ByteSink;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts a fuzzed body into the pieces a fuzzed list of lengths chooses, the way a network delivers a
 * response: lengths are unsigned bytes taken in turn and repeated, 0 being an empty read. No lengths,
 * or only zeros, deliver the body in one piece.
 */
public final class Pieces {
    /** Written around and over every piece once fed: a parser that keeps the caller's array fails. */
    private static final byte SCRIBBLE = '\n';

    private Pieces() {}

    /** Feeds {@code body} to {@code sink} piece by piece, each copied into the middle of a fresh array. */
    public static void feed(ByteSink sink, byte[] body, byte[] cuts) {
        int at = 0;
        for (int i = 0; at < body.length; i++) {
            int length = next(cuts, i, at, body.length);
            byte[] piece = new byte[length + 2];
            Arrays.fill(piece, SCRIBBLE);
            System.arraycopy(body, at, piece, 1, length);
            sink.feed(piece, 1, length);
            Arrays.fill(piece, SCRIBBLE);
            at += length;
        }
    }

    /** {@code body} as a stream whose reads return the pieces (an empty piece is a read of one byte). */
    public static InputStream stream(byte[] body, byte[] cuts) {
        return new InputStream() {
            private int at;
            private int reads;

            @Override
            public int read() {
                return at < body.length ? body[at++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at == body.length) {
                    return -1;
                }
                int n = Math.min(len, Math.max(1, next(cuts, reads++, at, body.length)));
                System.arraycopy(body, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    /** The length of piece {@code i}, starting at {@code at}: the rest when the lengths make no progress. */
    private static int next(byte[] cuts, int i, int at, int end) {
        boolean progress = false;
        for (byte cut : cuts) {
            progress |= cut != 0;
        }
        if (!progress) {
            return end - at;
        }
        return Math.min(cuts[i % cuts.length] & 0xFF, end - at);
    }
}
