package dev.tokenlog.worker.provider.gemini;

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
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Google Gemini adapter over {@code :streamGenerateContent?alt=sse}, in one of two modes:
 * <ul>
 *   <li>Gemini API (default): {@code POST {base-url}/v1beta/models/{model}:streamGenerateContent?alt=sse},
 *   base URL default {@code https://generativelanguage.googleapis.com}, key in {@code x-goog-api-key};</li>
 *   <li>Vertex AI (option {@code vertex=true} with options {@code project} and {@code location}):
 *   {@code POST {base-url}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent?alt=sse},
 *   base URL default {@code https://{location}-aiplatform.googleapis.com}, the api-key being an OAuth
 *   access token sent as {@code Authorization: Bearer}.</li>
 * </ul>
 * Option {@code thinking-budget} sets {@code thinkingConfig} and streams thoughts as reasoning. A
 * prompt Gemini blocks ({@code promptFeedback.blockReason}, no candidates) finishes CONTENT_FILTER
 * with the block reason as raw reason and no text. Retries, fallback and timeouts are the runner's job.
 */
public final class GeminiProvider implements Provider {
    static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

    private final ProviderSettings settings;
    private final boolean vertex;
    private final String vertexPath;
    private final OptionalInt thinkingBudget;
    private final Secrets secrets;
    private final HttpStreaming http;

    public GeminiProvider(ProviderSettings settings) {
        this.vertex = Boolean.parseBoolean(settings.option("vertex", "false"));
        if (vertex) {
            String project = required(settings, "project");
            String location = required(settings, "location");
            this.settings = settings.withDefaultBaseUrl(vertexBaseUrl(location));
            this.vertexPath = "/v1/projects/" + encode(project) + "/locations/" + encode(location) + "/publishers/google/models/";
        } else {
            this.settings = settings.withDefaultBaseUrl(DEFAULT_BASE_URL);
            this.vertexPath = null;
        }
        this.thinkingBudget = settings.positiveIntOption("thinking-budget");
        this.secrets = Secrets.of(settings.apiKey().orElse(null));
        this.http = new HttpStreaming(settings.name(), settings.connectTimeout(), secrets);
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        String path = (vertex ? vertexPath : "/v1beta/models/") + encode(call.model()) + ":streamGenerateContent?alt=sse";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.url(path)))
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(GeminiRequests.body(call, thinkingBudget, settings.name())));
        settings.apiKey().ifPresent(key -> request.header(vertex ? "authorization" : "x-goog-api-key",
                vertex ? "Bearer " + key : key));
        settings.headers().forEach(request::setHeader); // configured headers win
        GeminiStreamMapper mapper = new GeminiStreamMapper(settings.name(), secrets, sink);
        try (InputStream body = http.open(request.build(), call, "text/event-stream")) {
            StreamPump.pump(settings.name(), body, new SseParser(StreamPump.rethrowing(mapper::on)), () -> false);
        }
        if (!mapper.complete()) {
            throw new ProviderException("TRUNCATED", settings.name() + " closed the stream before a finishReason", true);
        }
    }

    /** The global endpoint has no region prefix (https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations). */
    static String vertexBaseUrl(String location) {
        return "global".equals(location) ? "https://aiplatform.googleapis.com"
                : "https://" + location + "-aiplatform.googleapis.com";
    }

    private static String required(ProviderSettings settings, String key) {
        String value = settings.options().get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("tokenlog.providers." + settings.name() + ".options." + key
                    + " is required when options.vertex=true");
        }
        return value.trim();
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
