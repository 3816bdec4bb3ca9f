package dev.tokenlog.worker.faults;

import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderType;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Provider type {@value #TYPE}: an adapter that fails as no real provider can be made to, by throwing
 * an {@link Error} from inside the worker. Models: {@value #ERROR_BEFORE_OUTPUT} throws an
 * OutOfMemoryError before any output; {@value #ERROR_AFTER_OUTPUT} outputs {@value #PARTIAL} and then
 * recurses into a real StackOverflowError.
 */
@ApplicationScoped
public class CrashingProviderType implements ProviderType {
    static final String TYPE = "test-crash";
    static final String ERROR_BEFORE_OUTPUT = "error-before-output";
    static final String ERROR_AFTER_OUTPUT = "error-after-output";
    static final String PARTIAL = "partial ";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Provider create(String name, ProvidersConfig.ProviderEntry entry) {
        return (call, sink) -> {
            switch (call.model()) {
                case ERROR_BEFORE_OUTPUT -> throw new OutOfMemoryError("injected by " + CrashingProviderType.class.getSimpleName());
                case ERROR_AFTER_OUTPUT -> {
                    sink.accept(new ProviderEvent.Text(PARTIAL));
                    sink.accept(new ProviderEvent.Text(Integer.toString(depth(0))));
                }
                default -> throw new ProviderException("MODEL_NOT_FOUND", "no model " + call.model(), false);
            }
        };
    }

    /** Never returns: the stack overflows. */
    private static int depth(int n) {
        return depth(n + 1) + 1;
    }
}
