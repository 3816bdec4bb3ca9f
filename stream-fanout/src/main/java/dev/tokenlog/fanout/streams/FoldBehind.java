package dev.tokenlog.fanout.streams;

import dev.tokenlog.fanout.api.ApiException;
import java.time.Duration;

/**
 * 503 with {@code Retry-After}: a status read could not confirm within {@code tokenlog.fold.status-wait}
 * that the fold has caught up with the stream, so it does not answer a status that may be stale.
 */
public final class FoldBehind extends ApiException {
    /** Seconds a client should wait before asking again. */
    public static final int RETRY_AFTER_SECONDS = 1;

    FoldBehind(String id, Duration waited) {
        super(503, "fold_behind", "the answer index has not caught up with stream " + id + " within "
                + waited.toMillis() + " ms (the fold is behind or restarting); retry after "
                + RETRY_AFTER_SECONDS + " s");
    }
}
