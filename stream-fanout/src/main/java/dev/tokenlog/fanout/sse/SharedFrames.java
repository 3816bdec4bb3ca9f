package dev.tokenlog.fanout.sse;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The frame one live chunk maps to, made and encoded once for all the subscribers of its stream that
 * are in the same state: the {@link LiveTail} hands the same chunk to each of them, and most frames
 * depend only on the chunk, the format and (for OpenAI's) the model and usage option, the {@code key}.
 * One frame per format is kept; a subscriber whose key differs makes its own. Subscribers on several
 * event loops may make the frame at the same time: one of them is kept, all are equal.
 */
final class SharedFrames {
    private record Entry(Object key, SseFrame frame, String wire) {}

    private final AtomicReferenceArray<Entry> byFormat = new AtomicReferenceArray<>(EventFormat.values().length);

    /** The frame for {@code key} in {@code format}: the one made already, or {@code make}'s. */
    SseFrame frame(EventFormat format, Object key, Supplier<SseFrame> make) {
        Entry e = byFormat.get(format.ordinal());
        if (e != null && e.key().equals(key)) {
            return e.frame();
        }
        SseFrame frame = make.get();
        byFormat.set(format.ordinal(), new Entry(key, frame, frame.encode()));
        return frame;
    }

    /** The wire text of {@code frame}: encoded once if it is one of the shared frames. */
    String wire(SseFrame frame) {
        for (int i = 0; i < byFormat.length(); i++) {
            Entry e = byFormat.get(i);
            if (e != null && e.frame() == frame) {
                return e.wire();
            }
        }
        return frame.encode();
    }
}
