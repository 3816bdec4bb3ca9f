package dev.tokenlog.worker.provider.ollama;

import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.framing.NdjsonParser;
import dev.tokenlog.worker.provider.http.HttpStreaming;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.StreamPump;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.function.Consumer;

/**
 * Ollama native chat adapter: {@code POST {base-url}/api/chat} with {@code stream: true} (base URL
 * default {@code http://localhost:11434}), answered as NDJSON ({@code application/x-ndjson};
 * {@code application/json} is accepted too). The api-key, if set, is sent as a bearer token (for
 * Ollama behind an authenticating proxy, or ollama.com). Option {@code think}: {@code true} or
 * {@code false}, or a level such as {@code high} for models that take one. Retries, fallback and
 * timeouts are the runner's job.
 */
public final class OllamaProvider implements Provider {
    static final String DEFAULT_BASE_URL = "http://localhost:11434";

    private final ProviderSettings settings;
    private final Object think;
    private final Secrets secrets;
    private final HttpStreaming http;

    public OllamaProvider(ProviderSettings settings) {
        this.settings = settings.withDefaultBaseUrl(DEFAULT_BASE_URL);
        String thinkOption = settings.options().get("think");
        this.think = thinkOption == null || thinkOption.isBlank() ? null
                : "true".equalsIgnoreCase(thinkOption) || "false".equalsIgnoreCase(thinkOption)
                        ? Boolean.valueOf(thinkOption) : thinkOption.trim();
        this.secrets = Secrets.of(settings.apiKey().orElse(null));
        this.http = new HttpStreaming(settings.name(), settings.connectTimeout(), secrets);
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.url("/api/chat")))
                .header("content-type", "application/json")
                .header("accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(OllamaRequests.body(call, think, settings.name())));
        settings.apiKey().ifPresent(key -> request.header("authorization", "Bearer " + key));
        settings.headers().forEach(request::setHeader); // configured headers win
        OllamaStreamMapper mapper = new OllamaStreamMapper(settings.name(), secrets, sink);
        try (InputStream body = http.open(request.build(), call, "application/x-ndjson")) {
            StreamPump.pump(settings.name(), body, new NdjsonParser(StreamPump.rethrowing(mapper::on)), mapper::finished);
        }
        if (!mapper.finished()) {
            throw new ProviderException("TRUNCATED", settings.name() + " closed the stream before the done line", true);
        }
    }
}
