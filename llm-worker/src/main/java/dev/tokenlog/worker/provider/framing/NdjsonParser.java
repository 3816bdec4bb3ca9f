package dev.tokenlog.worker.provider.framing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Splits a newline-delimited JSON stream (Ollama's native {@code /api/chat}, JSON Lines) into its
 * lines, decoded as UTF-8 (malformed bytes become U+FFFD). Does not parse JSON: that is the
 * provider's job.
 *
 * <p>Lines end at LF; a CR directly before the LF is dropped, so CRLF works too. A bare CR is not a
 * line end (unlike SSE): NDJSON and JSON Lines define only {@code \n} (with an optional preceding
 * {@code \r}) as the separator, and RFC 8259 allows a raw CR only as insignificant whitespace, so
 * splitting there could only cut a value apart. Lines made only of JSON whitespace (RFC 8259 §2:
 * space, tab, CR) are skipped, and one leading BOM is dropped (RFC 8259 §8.1). A line longer than
 * {@code maxLineBytes} (counted before the LF, so including the CR of a CRLF) throws
 * {@link FramingException}. Not thread-safe.
 */
public final class NdjsonParser implements ByteSink {

    /** Default for {@code maxLineBytes}: 8 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

    private final Consumer<String> lines;
    private final LineSplitter splitter;
    private boolean lastLineDelivered;

    /** Each complete non-blank line goes to {@code lines}; lines up to 8 MiB. */
    public NdjsonParser(Consumer<String> lines) {
        this(lines, DEFAULT_MAX_LINE_BYTES);
    }

    public NdjsonParser(Consumer<String> lines, int maxLineBytes) {
        this.lines = Objects.requireNonNull(lines, "lines");
        this.splitter = new LineSplitter(this::line, maxLineBytes, false, "NDJSON line");
    }

    @Override
    public void feed(byte[] bytes, int offset, int length) {
        splitter.feed(bytes, offset, length);
    }

    /**
     * Ends the stream. A final line without a newline IS delivered, since many servers omit the last
     * {@code \n}; returns true if it was (a blank unterminated remainder is skipped and gives false).
     */
    @Override
    public boolean finish() {
        if (!splitter.finish()) {
            return false;
        }
        lastLineDelivered = false;
        splitter.flushPartial();
        return lastLineDelivered;
    }

    private void line(byte[] b, int off, int len) {
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        lastLineDelivered = !isBlank(b, off, len);
        if (lastLineDelivered) {
            lines.accept(new String(b, off, len, UTF_8));
        }
    }

    private static boolean isBlank(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }
}
