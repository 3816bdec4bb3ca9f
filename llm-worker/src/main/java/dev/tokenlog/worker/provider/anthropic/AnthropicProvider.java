package dev.tokenlog.worker.provider.anthropic;

import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.framing.SseParser;
import dev.tokenlog.worker.provider.http.HttpStreaming;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.StreamPump;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Anthropic Messages API adapter: {@code POST {base-url}/v1/messages} with {@code stream: true}
 * (base URL default {@code https://api.anthropic.com}), authenticated by {@code x-api-key}.
 * Options: {@code version} (the {@code anthropic-version} header, default {@value #DEFAULT_VERSION}),
 * {@code thinking-budget} (enables extended thinking with that many {@code budget_tokens}).
 * When the request sets no {@code maxTokens}, 1024 (plus the thinking budget) is sent, since
 * Anthropic requires the field. Retries, fallback and timeouts are the runner's job.
 */
public final class AnthropicProvider implements Provider {
    static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    static final String DEFAULT_VERSION = "2023-06-01";

    private final ProviderSettings settings;
    private final String version;
    private final OptionalInt thinkingBudget;
    private final Secrets secrets;
    private final HttpStreaming http;

    public AnthropicProvider(ProviderSettings settings) {
        this.settings = settings.withDefaultBaseUrl(DEFAULT_BASE_URL);
        this.version = settings.option("version", DEFAULT_VERSION);
        this.thinkingBudget = settings.positiveIntOption("thinking-budget");
        this.secrets = Secrets.of(settings.apiKey().orElse(null));
        this.http = new HttpStreaming(settings.name(), settings.connectTimeout(), secrets);
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.url("/v1/messages")))
                .header("anthropic-version", version)
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicRequests.body(call, thinkingBudget, settings.name())));
        settings.apiKey().ifPresent(key -> request.header("x-api-key", key));
        settings.headers().forEach(request::setHeader); // configured headers win
        AnthropicStreamMapper mapper = new AnthropicStreamMapper(settings.name(), secrets, sink);
        try (InputStream body = http.open(request.build(), call, "text/event-stream")) {
            StreamPump.pump(settings.name(), body, new SseParser(StreamPump.rethrowing(mapper::on)), mapper::finished);
        }
        if (!mapper.finished()) {
            throw new ProviderException("TRUNCATED", settings.name() + " closed the stream before message_stop", true);
        }
    }
}
