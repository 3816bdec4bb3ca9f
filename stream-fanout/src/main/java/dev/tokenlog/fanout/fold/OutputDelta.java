package dev.tokenlog.fanout.fold;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** One piece of an attempt's output as {@link OutputLog} keeps it until the answer is built. */
sealed interface OutputDelta {

    /** The text to append. */
    String text();

    /** The same kind of delta with other text (a cut one). */
    default OutputDelta withText(String other) {
        return switch (this) {
            case Text t -> new Text(other);
            case Reasoning r -> new Reasoning(other);
            case ToolArguments a -> new ToolArguments(a.index(), other);
        };
    }

    /** Bytes of text in an encoded delta (what {@link #encode} wrote, less its header). */
    static int textBytes(byte[] encoded) {
        return encoded.length - (encoded[0] == 'A' ? 5 : 1);
    }

    /** Answer text to append. */
    record Text(String text) implements OutputDelta {}

    /** Reasoning text to append. */
    record Reasoning(String text) implements OutputDelta {}

    /** Arguments text to append to the tool call at {@code index}. */
    record ToolArguments(int index, String text) implements OutputDelta {}

    /** One kind byte, the tool call index for arguments, then the UTF-8 text. */
    static byte[] encode(OutputDelta delta) {
        return switch (delta) {
            case Text t -> withKind((byte) 'T', 0, t.text(), false);
            case Reasoning r -> withKind((byte) 'R', 0, r.text(), false);
            case ToolArguments a -> withKind((byte) 'A', a.index(), a.text(), true);
        };
    }

    static OutputDelta decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte kind = in.get();
        int index = kind == 'A' ? in.getInt() : 0;
        String text = new String(bytes, in.position(), in.remaining(), StandardCharsets.UTF_8);
        return switch (kind) {
            case 'T' -> new Text(text);
            case 'R' -> new Reasoning(text);
            case 'A' -> new ToolArguments(index, text);
            default -> throw new IllegalArgumentException("unknown output delta kind " + kind);
        };
    }

    private static byte[] withKind(byte kind, int index, String text, boolean indexed) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(1 + (indexed ? 4 : 0) + utf8.length).put(kind);
        if (indexed) {
            out.putInt(index);
        }
        return out.put(utf8).array();
    }
}
