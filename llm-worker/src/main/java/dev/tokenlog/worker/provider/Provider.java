package dev.tokenlog.worker.provider;

import dev.tokenlog.avro.LlmRequest;
import java.util.function.Consumer;

/**
 * A streaming adapter for one provider entry. {@link #stream} blocks (it runs on a virtual thread),
 * reports every piece of output to {@code sink} in order and returns after reporting
 * {@link ProviderEvent.Finished}. Cancellation interrupts the calling thread: implementations must
 * stop promptly and let {@link InterruptedException} (or an interrupted I/O error) escape.
 */
public interface Provider {

    void stream(LlmRequest request, String model, Consumer<ProviderEvent> sink)
            throws ProviderException, InterruptedException;
}
