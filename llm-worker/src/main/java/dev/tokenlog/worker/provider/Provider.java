package dev.tokenlog.worker.provider;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A streaming adapter for one provider entry. {@link #stream} blocks (it runs on a virtual thread),
 * reports every piece of output to {@code sink} in order and returns after reporting
 * {@link ProviderEvent.Finished}. When the stream is stopped the adapter's registered resources
 * are closed and its thread interrupted: the adapter then lets the resulting {@link IOException}
 * or {@link InterruptedException} escape; the runner knows why it was stopped.
 */
public interface Provider {

    /**
     * @throws ProviderException the provider refused or broke the stream (HTTP error, in-band error,
     *                           malformed output); {@link ProviderException#retryable()} says whether
     *                           trying again may help
     * @throws IOException       transport failure (connection reset, closed on stop)
     */
    void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException;
}
