package dev.tokenlog.fanout.sse;

/**
 * An SSE event id: the Kafka position of the chunk it came from, {@code <partition>-<offset>}.
 * Resuming after an id is a seek to {@code offset + 1} in that partition, never a scan.
 */
public record EventId(int partition, long offset) {

    /** Parses an id from {@code Last-Event-ID} or {@code ?after=}. */
    public static EventId parse(String text) {
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            throw new IllegalArgumentException("event id '" + text + "' is not of the form <partition>-<offset>");
        }
        try {
            int partition = Integer.parseInt(text.substring(0, dash));
            long offset = Long.parseLong(text.substring(dash + 1));
            if (partition < 0 || offset < 0) {
                throw new IllegalArgumentException("event id '" + text + "' has a negative partition or offset");
            }
            return new EventId(partition, offset);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("event id '" + text + "' is not of the form <partition>-<offset>");
        }
    }

    @Override
    public String toString() {
        return partition + "-" + offset;
    }
}
