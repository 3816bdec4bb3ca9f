package dev.tokenlog.worker.provider.framing;

import java.io.Serial;

/**
 * Thrown for framing a parser cannot accept, such as an event or line over the parser's size limit.
 * The parser that threw it is unusable afterwards. Unchecked: it signals a broken or hostile
 * response, which the provider adapter maps to its own non-retryable error.
 */
public final class FramingException extends RuntimeException {

    @Serial private static final long serialVersionUID = 1L;

    public FramingException(String message) {
        super(message);
    }
}
