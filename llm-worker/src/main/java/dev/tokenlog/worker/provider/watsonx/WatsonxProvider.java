package dev.tokenlog.worker.provider.watsonx;

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
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * IBM watsonx.ai chat adapter: {@code POST {base-url}/ml/v1/text/chat_stream?version={version}} (base
 * URL default {@value #DEFAULT_BASE_URL}, i.e. Dallas; use the region of the project), authenticated
 * by an IBM Cloud IAM token obtained from the entry's api-key and shared by all calls. Options:
 * {@code project-id} or {@code space-id} (exactly one, required), {@code version} (default
 * {@value #DEFAULT_VERSION}), {@code iam-url} (default {@value #DEFAULT_IAM_URL}). A call rejected with
 * HTTP 401 renews the token and is sent once more. Retries, fallback and timeouts are the runner's job.
 */
public final class WatsonxProvider implements Provider {
    static final String DEFAULT_BASE_URL = "https://us-south.ml.cloud.ibm.com";
    static final String DEFAULT_VERSION = "2024-10-08";
    static final String DEFAULT_IAM_URL = "https://iam.cloud.ibm.com";
    private static final String SSE = "text/event-stream";

    private final ProviderSettings settings;
    private final String path;
    private final WatsonxRequests.Scope scope;
    private final Secrets secrets;
    private final HttpStreaming http;
    private final WatsonxTokens tokens;

    public WatsonxProvider(ProviderSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** With the clock token expiry is measured by (tests). */
    WatsonxProvider(ProviderSettings settings, Clock clock) {
        this.settings = settings.withDefaultBaseUrl(DEFAULT_BASE_URL);
        this.path = "/ml/v1/text/chat_stream?version="
                + URLEncoder.encode(settings.option("version", DEFAULT_VERSION), StandardCharsets.UTF_8);
        this.scope = scope(settings);
        String apiKey = settings.apiKey().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "tokenlog.providers." + settings.name() + ".api-key is required for watsonx (an IBM Cloud API key)"));
        this.secrets = Secrets.of(apiKey);
        this.http = new HttpStreaming(settings.name(), settings.connectTimeout(), secrets);
        this.tokens = new WatsonxTokens(settings.name(), settings.option("iam-url", DEFAULT_IAM_URL), apiKey,
                settings.connectTimeout(), clock);
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        String body = WatsonxRequests.body(call, scope);
        String token = tokens.token();
        Optional<InputStream> opened = http.openUnlessUnauthorized(request(body, token), call, SSE);
        if (opened.isEmpty()) {
            // The token expired early or was revoked: renew it once; a second 401 is an error.
            opened = Optional.of(http.open(request(body, tokens.renew(token)), call, SSE));
        }
        WatsonxStreamMapper mapper = new WatsonxStreamMapper(settings.name(), secrets, sink);
        try (InputStream stream = opened.get()) {
            StreamPump.pump(settings.name(), stream, new SseParser(StreamPump.rethrowing(mapper::on)), mapper::done);
        }
        if (!mapper.complete()) {
            throw new ProviderException("TRUNCATED", settings.name() + " closed the stream before a finish_reason", true);
        }
    }

    private HttpRequest request(String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.url(path)))
                .header("content-type", "application/json")
                .header("accept", SSE)
                .header("authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        settings.headers().forEach(request::setHeader); // configured headers win
        return request.build();
    }

    private static WatsonxRequests.Scope scope(ProviderSettings settings) {
        String project = settings.options().get("project-id");
        String space = settings.options().get("space-id");
        boolean hasProject = project != null && !project.isBlank();
        boolean hasSpace = space != null && !space.isBlank();
        if (hasProject == hasSpace) {
            throw new IllegalArgumentException("tokenlog.providers." + settings.name()
                    + " (watsonx) needs exactly one of options.project-id and options.space-id");
        }
        return new WatsonxRequests.Scope(hasProject ? project.trim() : null, hasSpace ? space.trim() : null);
    }
}
