package dev.tokenlog.worker.provider.framing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Ways of cutting one input into feeds, for tests asserting that chunk boundaries change nothing.
 * Every feed is a fresh or reused array that is scribbled over once fed, so a parser that keeps a
 * reference to a caller's array instead of copying fails.
 */
final class Feeds {

    /** Inputs up to this size are split at every offset; larger ones at a sample of offsets. */
    static final int EXHAUSTIVE_UP_TO = 8 * 1024;
    /** About how many bytes the split offsets of one large case may parse in all. */
    static final long SPLIT_BUDGET_BYTES = 64L << 20;

    private Feeds() {}

    static void whole(ByteSink sink, byte[] input) {
        feedCopy(sink, input, 0, input.length);
    }

    static void splitAt(ByteSink sink, byte[] input, int at) {
        feedCopy(sink, input, 0, at);
        feedCopy(sink, input, at, input.length - at);
    }

    static void oneByteAtATime(ByteSink sink, byte[] input) {
        byte[] one = new byte[1];
        for (byte b : input) {
            one[0] = b;
            sink.feed(one, 0, 1);
        }
    }

    /**
     * Every offset from 0 to {@code length} inclusive; for a large input, the first and last {@code k}
     * (where its framing bytes are) and {@code k} spread between, since every offset would cost
     * O(length²). {@code k} is 64, fewer for inputs of megabytes, so that one case parses at most
     * about {@link #SPLIT_BUDGET_BYTES} in all.
     */
    static int[] splitOffsets(int length) {
        if (length <= EXHAUSTIVE_UP_TO) {
            return IntStream.rangeClosed(0, length).toArray();
        }
        int k = (int) Math.max(8, Math.min(64, SPLIT_BUDGET_BYTES / (3L * length)));
        return IntStream.concat(
                        IntStream.concat(IntStream.rangeClosed(0, k),
                                IntStream.rangeClosed(length - k, length)),
                        IntStream.range(1, k).map(i -> (int) ((long) length * i / k)))
                .sorted().distinct().toArray();
    }

    /** Concatenates strings (as UTF-8), byte arrays and ints (as single bytes). */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            switch (part) {
                case String s -> out.writeBytes(s.getBytes(UTF_8));
                case byte[] b -> out.writeBytes(b);
                case Integer i -> out.write(i);
                default -> throw new IllegalArgumentException("unsupported part " + part);
            }
        }
        return out.toByteArray();
    }

    private static void feedCopy(ByteSink sink, byte[] input, int from, int length) {
        // Fed at a non-zero offset inside a larger array, then overwritten.
        byte[] copy = new byte[length + 2];
        System.arraycopy(input, from, copy, 1, length);
        sink.feed(copy, 1, length);
        Arrays.fill(copy, (byte) '\n');
    }
}
