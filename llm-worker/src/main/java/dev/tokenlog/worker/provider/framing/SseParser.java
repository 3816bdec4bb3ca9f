package dev.tokenlog.worker.provider.framing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Parses a {@code text/event-stream} byte stream into {@link SseEvent}s, following WHATWG HTML
 * §9.2.5 (event stream format) and §9.2.6 (interpreting an event stream). Knows nothing of
 * providers: {@code data: [DONE]}, {@code event: ping} and in-band errors are ordinary events here.
 *
 * <p>Fields are matched on bytes (their names are ASCII) and values are decoded once per event, so
 * the hot path allocates only the dispatched event and its data string; repeated event names and
 * ids are reused rather than decoded again. Malformed UTF-8 becomes U+FFFD.
 *
 * <p>{@code maxEventBytes} bounds both any single line and an event's joined data; going over it
 * throws {@link FramingException}. The {@code retry} field is ignored: the worker never reconnects
 * to a provider with {@code Last-Event-ID}, so the reconnection time has no use. Not thread-safe.
 */
public final class SseParser implements ByteSink {

    /** Default for {@code maxEventBytes}: 8 MiB. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ID = {'i', 'd'};
    private static final String DEFAULT_EVENT = "message";
    private static final int RETAINED_DATA_BYTES = 64 * 1024;

    private final Consumer<SseEvent> sink;
    private final int maxEventBytes;
    private final LineSplitter lines;
    private final DecodedValue eventNames = new DecodedValue();
    private final DecodedValue ids = new DecodedValue();

    /** The data buffer of §9.2.6: data lines, each followed by LF. */
    private byte[] data = new byte[1024];
    private int dataLength;
    private String eventType;
    private String lastEventId;
    /** A field line arrived since the last blank line, i.e. an event is under way. */
    private boolean inEvent;
    private long comments;

    public SseParser(Consumer<SseEvent> sink) {
        this(sink, DEFAULT_MAX_EVENT_BYTES);
    }

    public SseParser(Consumer<SseEvent> sink, int maxEventBytes) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.maxEventBytes = maxEventBytes;
        this.lines = new LineSplitter(this::line, maxEventBytes, true, "SSE line");
    }

    /** Comment lines seen so far (lines starting with {@code :}, typically keep-alives). */
    public long comments() {
        return comments;
    }

    @Override
    public void feed(byte[] bytes, int offset, int length) {
        lines.feed(bytes, offset, length);
    }

    /**
     * Ends the stream. Per §9.2.6 an event not yet terminated by a blank line is discarded; returns
     * true if that happened (a pending field line or an unterminated line), i.e. the stream was cut.
     */
    @Override
    public boolean finish() {
        boolean unterminatedLine = lines.finish();
        return unterminatedLine || inEvent;
    }

    private void line(byte[] b, int off, int len) {
        if (len == 0) {
            dispatch();
            return;
        }
        if (b[off] == ':') {
            comments++;
            return;
        }
        inEvent = true;
        int end = off + len;
        int colon = off;
        while (colon < end && b[colon] != ':') {
            colon++;
        }
        // §9.2.6: no colon means the whole line is the field name and the value is empty;
        // otherwise exactly one U+0020 after the colon is dropped.
        int valueStart = colon < end ? colon + 1 : end;
        if (valueStart < end && b[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = end - valueStart;
        if (is(DATA, b, off, colon)) {
            appendData(b, valueStart, valueLength);
        } else if (is(EVENT, b, off, colon)) {
            eventType = valueLength == 0 ? null : eventNames.decode(b, valueStart, valueLength);
        } else if (is(ID, b, off, colon)) {
            // §9.2.6: an id containing NUL is ignored; an empty one empties the last event ID
            // buffer, which this API represents as null.
            if (!containsNul(b, valueStart, end)) {
                lastEventId = valueLength == 0 ? null : ids.decode(b, valueStart, valueLength);
            }
        }
        // Any other field, including retry, is ignored (§9.2.6 "Otherwise").
    }

    private void appendData(byte[] b, int off, int len) {
        // Counted without the trailing LF, which dispatch strips: the limit is on the data delivered.
        if ((long) dataLength + len > maxEventBytes) {
            throw new FramingException("SSE event data exceeds the limit of " + maxEventBytes
                    + " bytes; the response is not well-formed, or the limit must be raised");
        }
        int needed = dataLength + len + 1;
        if (needed > data.length) {
            data = Arrays.copyOf(data, (int) Math.min(Math.max(needed, 2L * data.length),
                    (long) maxEventBytes + 1));
        }
        System.arraycopy(b, off, data, dataLength, len);
        data[dataLength + len] = '\n';
        dataLength = needed;
    }

    private void dispatch() {
        inEvent = false;
        String type = eventType;
        eventType = null;
        if (dataLength == 0) {
            return; // §9.2.6: an empty data buffer dispatches nothing (an event without data lines)
        }
        String value = new String(data, 0, dataLength - 1, UTF_8);
        dataLength = 0;
        if (data.length > RETAINED_DATA_BYTES) {
            data = new byte[1024];
        }
        sink.accept(new SseEvent(type == null ? DEFAULT_EVENT : type, value, lastEventId));
    }

    private static boolean is(byte[] name, byte[] b, int from, int to) {
        return Arrays.equals(name, 0, name.length, b, from, to);
    }

    private static boolean containsNul(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** Decodes a field value, reusing the previous string when the bytes repeat (event names, ids). */
    private static final class DecodedValue {
        private byte[] bytes = new byte[0];
        private String value;

        String decode(byte[] b, int off, int len) {
            if (value == null || !Arrays.equals(bytes, 0, bytes.length, b, off, off + len)) {
                bytes = Arrays.copyOfRange(b, off, off + len);
                value = new String(bytes, UTF_8);
            }
            return value;
        }
    }
}
