package dev.tokenlog.fanout.sse;

/**
 * One server-sent event. {@code id} may be null (e.g. {@code reset}, which has no position of its
 * own). Data is single-line JSON, so it never needs splitting over several {@code data:} lines.
 */
public record SseFrame(EventId id, String event, String data) {

    /** Whether this event ends the stream (the attempt's terminal). */
    public boolean terminal() {
        return event.equals("done") || event.equals("error") || event.equals("cancelled");
    }

    /** The wire text, ending with the blank line that dispatches it. */
    public String encode() {
        StringBuilder sb = new StringBuilder(data.length() + 48);
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        return sb.append("event: ").append(event).append('\n').append("data: ").append(data).append("\n\n").toString();
    }
}
