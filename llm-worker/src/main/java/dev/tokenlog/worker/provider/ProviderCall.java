package dev.tokenlog.worker.provider;

import dev.tokenlog.avro.LlmRequest;
import java.io.Closeable;
import java.time.Duration;

/**
 * One call of a provider: the request, the model of the route target, the hook through which the
 * adapter hands over what must be closed when the stream is stopped (cancel, timeout, deadline,
 * shutdown; closing the HTTP body is what makes a blocked read return at once), and the request's own
 * connect timeout (null: the provider entry's).
 */
public record ProviderCall(LlmRequest request, String model, StopHook onStop, Duration connectTimeout) {

    /** A call with the provider entry's connect timeout. */
    public ProviderCall(LlmRequest request, String model, StopHook onStop) {
        this(request, model, onStop, null);
    }

    /** Registers a resource closed when the stream is stopped. */
    @FunctionalInterface
    public interface StopHook {
        void closeOnStop(Closeable resource);
    }

    /** The last message with role {@code user}, or null. */
    public String lastUserMessage() {
        var messages = request.getMessages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).getRole())) {
                return messages.get(i).getContent();
            }
        }
        return null;
    }
}
