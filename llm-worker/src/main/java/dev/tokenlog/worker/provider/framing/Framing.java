package dev.tokenlog.worker.provider.framing;

import java.io.IOException;
import java.io.InputStream;

/** Glue between blocking {@link InputStream}s and the incremental {@link ByteSink} parsers. */
public final class Framing {

    static final int BUFFER_BYTES = 8 * 1024;

    private Framing() {}

    /**
     * Reads {@code in} to EOF in buffers of 8 KiB, feeding {@code sink}; returns sink.finish().
     * IOExceptions propagate (and {@code finish} is then not called). The stream is not closed.
     */
    public static boolean pump(InputStream in, ByteSink sink) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        for (int n; (n = in.read(buffer)) != -1; ) {
            sink.feed(buffer, 0, n);
        }
        return sink.finish();
    }
}
