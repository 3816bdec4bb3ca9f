package dev.tokenlog.worker.provider.framing;

import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a UTF-8 byte stream into lines before decoding, shared by the SSE and NDJSON parsers.
 *
 * <p>Splitting bytes rather than decoded characters is exact for UTF-8: the bytes 0x0A and 0x0D
 * never occur inside a multibyte sequence (RFC 3629 §3), and a decoder that meets them after an
 * incomplete sequence replaces the incomplete part and then decodes them as themselves. A character
 * split across feeds therefore always lands whole in one buffered line, and each line is decoded in
 * one piece by its consumer.
 */
final class LineSplitter {

    /** Receives each complete line without its terminator; the array is only valid during the call. */
    interface LineHandler {
        void line(byte[] bytes, int offset, int length);
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int INITIAL_LINE_BYTES = 256;
    /** A line buffer grown past this is dropped after use, so one huge line does not pin memory. */
    private static final int RETAINED_LINE_BYTES = 64 * 1024;

    private final LineHandler handler;
    private final int maxLineBytes;
    private final boolean crEndsLine;
    private final String what;

    private byte[] partial = new byte[INITIAL_LINE_BYTES];
    private int partialLength;
    /** Bytes of a leading BOM matched so far; -1 once the start of the stream is behind us. */
    private int bomMatched;
    /** The last line ended with a CR, so an LF that follows (even in the next feed) is part of it. */
    private boolean skipLf;
    private boolean finished;

    /**
     * @param crEndsLine whether a bare CR ends a line (SSE) or is line content (NDJSON)
     * @param what names the unit in limit errors, e.g. "SSE line"
     */
    LineSplitter(LineHandler handler, int maxLineBytes, boolean crEndsLine, String what) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive, was " + maxLineBytes);
        }
        this.handler = Objects.requireNonNull(handler, "handler");
        this.maxLineBytes = maxLineBytes;
        this.crEndsLine = crEndsLine;
        this.what = what;
    }

    void feed(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (finished) {
            throw new IllegalStateException("finish() was already called; a parser is single-use");
        }
        if (bomMatched >= 0) {
            // WHATWG §9.2.6 (and RFC 8259 §8.1 for JSON): one leading U+FEFF is ignored. Its three
            // bytes may arrive in separate feeds, so hold them until they match or cannot.
            while (length > 0 && bomMatched < BOM.length && bytes[offset] == BOM[bomMatched]) {
                bomMatched++;
                offset++;
                length--;
            }
            if (bomMatched < BOM.length && length == 0) {
                return;
            }
            int held = bomMatched < BOM.length ? bomMatched : 0;
            bomMatched = -1;
            scan(BOM, 0, held); // a partial match was content after all
        }
        scan(bytes, offset, length);
    }

    /**
     * Ends the input. Returns true when an unterminated last line is left over; it stays available
     * through {@link #flushPartial()}.
     */
    boolean finish() {
        if (finished) {
            throw new IllegalStateException("finish() was already called");
        }
        finished = true;
        if (bomMatched > 0) {
            scan(BOM, 0, bomMatched);
        }
        bomMatched = -1;
        return partialLength > 0;
    }

    /** Hands the unterminated last line, if any, to the handler as if it had been terminated. */
    void flushPartial() {
        if (partialLength > 0) {
            emit(partial, 0, 0);
        }
    }

    private void scan(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        if (skipLf && i < end) {
            skipLf = false;
            if (bytes[i] == LF) {
                i++;
            }
        }
        int lineStart = i;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b == LF || (b == CR && crEndsLine)) {
                emit(bytes, lineStart, i - lineStart);
                if (b == CR) {
                    // WHATWG §9.2.5: CRLF is one line ending, even when split across reads.
                    if (i + 1 == end) {
                        skipLf = true;
                    } else if (bytes[i + 1] == LF) {
                        i++;
                    }
                }
                lineStart = i + 1;
            }
        }
        if (lineStart < end) {
            append(bytes, lineStart, end - lineStart);
        }
    }

    /** Delivers a line: the buffered start of it, if any, followed by {@code length} more bytes. */
    private void emit(byte[] bytes, int offset, int length) {
        if (partialLength == 0) {
            checkLimit(length);
            handler.line(bytes, offset, length);
            return;
        }
        append(bytes, offset, length);
        int lineLength = partialLength;
        partialLength = 0;
        handler.line(partial, 0, lineLength);
        if (partial.length > RETAINED_LINE_BYTES) {
            partial = new byte[INITIAL_LINE_BYTES];
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        int needed = partialLength + length;
        checkLimit(needed);
        if (needed > partial.length) {
            int grown = (int) Math.min(Math.max(needed, 2L * partial.length), maxLineBytes);
            partial = Arrays.copyOf(partial, grown);
        }
        System.arraycopy(bytes, offset, partial, partialLength, length);
        partialLength = needed;
    }

    private void checkLimit(int lineBytes) {
        if (lineBytes > maxLineBytes) {
            throw new FramingException(what + " exceeds the limit of " + maxLineBytes
                    + " bytes; the response is not well-formed, or the limit must be raised");
        }
    }
}
