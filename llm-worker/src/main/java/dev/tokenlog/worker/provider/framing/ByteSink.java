package dev.tokenlog.worker.provider.framing;

/**
 * Incremental consumer of a byte stream: a framing parser fed with whatever chunks the transport
 * delivers. Chunk boundaries carry no meaning; implementations give the same output however the
 * stream is split. Implementations are single-use and not thread-safe.
 */
public interface ByteSink {

    /**
     * Consumes {@code length} bytes of {@code bytes} from {@code offset}. The array is not retained
     * and may be reused by the caller after the call returns.
     *
     * @throws FramingException if the stream violates a limit of the parser
     */
    void feed(byte[] bytes, int offset, int length);

    /**
     * End of input. Returns true when bytes of an unterminated event/line were left over (for SSE:
     * discarded, i.e. the stream was truncated). The sink accepts no further input.
     */
    boolean finish();
}
