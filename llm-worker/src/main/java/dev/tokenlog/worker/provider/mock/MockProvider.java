package dev.tokenlog.worker.provider.mock;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Built-in provider for local runs, tests and benchmarks. Models:
 * <ul>
 *   <li>{@code echo}: streams the last user message back word by word;</li>
 *   <li>{@code lorem}: streams {@code max_tokens} (default 16) words of filler;</li>
 *   <li>{@code unavailable}: fails before any output as an overloaded provider would (retryable), for
 *       exercising retries and fallback.</li>
 * </ul>
 * Token rate, first-token delay and an injected failure come from config and can be overridden per
 * request with metadata {@code mock.tps}, {@code mock.ttft-ms}, {@code mock.fail-after}. Tokens are made
 * one at a time as they are sent, so memory does not grow with {@code max_tokens}.
 */
public final class MockProvider implements Provider {
    private static final String[] LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
            + "tempor incididunt ut labore et dolore magna aliqua").split(" ");
    private static final int DEFAULT_LOREM_TOKENS = 16;

    private final ProvidersConfig.Mock defaults;

    public MockProvider(ProvidersConfig.Mock defaults) {
        this.defaults = defaults;
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink) throws ProviderException, InterruptedException {
        LlmRequest request = call.request();
        String model = call.model();
        MockShape shape = MockShape.of(defaults, request.getMetadata());
        Tokens tokens = switch (model) {
            case "echo" -> Tokens.of(words(lastUserMessage(call)));
            case "lorem" -> lorem(request.getParams().getMaxTokens());
            case "unavailable" -> throw new ProviderException("PROVIDER_UNAVAILABLE",
                    "mock/unavailable is always overloaded", true);
            default -> throw new ProviderException("MODEL_NOT_FOUND",
                    "mock provider has no model '" + model + "'; use mock/echo, mock/lorem or mock/unavailable", false);
        };
        long start = System.nanoTime();
        for (int i = 0; i < tokens.count(); i++) {
            if (i == shape.failAfter()) {
                throw new ProviderException("PROVIDER_ERROR",
                        "mock failure injected after " + i + " tokens (mock.fail-after)", false);
            }
            sleepUntil(start + shape.offsetNanos(i));
            sink.accept(new ProviderEvent.Text(tokens.token(i)));
        }
        if (shape.failAfter() == tokens.count()) {
            throw new ProviderException("PROVIDER_ERROR",
                    "mock failure injected after " + tokens.count() + " tokens (mock.fail-after)", false);
        }
        sink.accept(new ProviderEvent.Usage(inputTokens(request), tokens.count(), 0, 0));
        sink.accept(new ProviderEvent.Finished(FinishReason.STOP, "stop"));
    }

    /** The tokens of one stream: how many, and token {@code i} made when it is sent. */
    record Tokens(int count, IntFunction<String> token) {
        static Tokens of(List<String> words) {
            return new Tokens(words.size(), words::get);
        }

        String token(int i) {
            return token.apply(i);
        }
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } else if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private static String lastUserMessage(ProviderCall call) throws ProviderException {
        String text = call.lastUserMessage();
        if (text == null) {
            throw new ProviderException("INVALID_REQUEST", "mock/echo needs a message with role 'user'", false);
        }
        return text;
    }

    /** Splits into words, each but the last keeping its following space, so the pieces concatenate back. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' && (i + 1 == text.length() || text.charAt(i + 1) != ' ')) {
                out.add(text.substring(from, i + 1));
                from = i + 1;
            }
        }
        if (from < text.length()) {
            out.add(text.substring(from));
        }
        return out;
    }

    /** {@code maxTokens} (default 16) filler words, each but the last followed by a space. */
    static Tokens lorem(Integer maxTokens) {
        int n = maxTokens == null ? DEFAULT_LOREM_TOKENS : Math.max(0, maxTokens);
        return new Tokens(n, i -> LOREM[i % LOREM.length] + (i + 1 < n ? " " : ""));
    }

    private static long inputTokens(LlmRequest request) {
        return request.getMessages().stream().mapToLong(m -> words(m.getContent()).size()).sum();
    }
}
