package dev.tokenlog.fanout.sse;

import java.util.Set;

/**
 * One server-sent event. {@code id} may be null (e.g. {@code reset}, which has no position of its
 * own); {@code event} may be null for an unnamed event (OpenAI's format names none). Data is
 * single-line JSON (or OpenAI's {@code [DONE]}), so it never needs splitting over several
 * {@code data:} lines.
 *
 * @param terminal whether this event ends the stream (the attempt's terminal)
 */
public record SseFrame(EventId id, String event, String data, boolean terminal) {
    private static final Set<String> TERMINAL_EVENTS = Set.of("done", "error", "cancelled");

    /** A named event of the native format; {@code done}, {@code error} and {@code cancelled} end the stream. */
    public SseFrame(EventId id, String event, String data) {
        this(id, event, data, TERMINAL_EVENTS.contains(event));
    }

    /** The wire text, ending with the blank line that dispatches it. */
    public String encode() {
        StringBuilder sb = new StringBuilder(data.length() + 48);
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        return sb.append("data: ").append(data).append("\n\n").toString();
    }
}
