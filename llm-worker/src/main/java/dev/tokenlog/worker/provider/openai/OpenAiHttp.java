package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.http.HttpStreaming;
import dev.tokenlog.worker.provider.http.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

/**
 * The HTTP side shared by both OpenAI APIs: endpoint URL, authentication and headers, validated once
 * when the entry is created so a bad entry fails at start-up. Options: {@code auth} = {@code bearer}
 * (default, {@code Authorization: Bearer <key>}) or {@code api-key} (Azure OpenAI's {@code api-key}
 * header); {@code api-version} appends {@code ?api-version=} (Azure).
 */
final class OpenAiHttp {
    /** The official SDKs' default base URL, used when the entry sets none. */
    static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private final String provider;
    private final Secrets secrets;
    private final HttpStreaming streaming;
    /** URL and headers of every call; each call copies it and adds its body. */
    private final HttpRequest template;

    OpenAiHttp(ProviderSettings settings, String path) {
        this.provider = settings.name();
        // Extra headers often carry keys too (gateways, organisation ids): hidden like the API key.
        this.secrets = Secrets.of(Stream.concat(settings.apiKey().stream(), settings.headers().values().stream())
                .toArray(String[]::new));
        this.streaming = new HttpStreaming(provider, settings.connectTimeout(), secrets);
        String auth = settings.option("auth", "bearer");
        String authHeader = switch (auth) {
            case "bearer" -> "Authorization";
            case "api-key" -> "api-key";
            default -> throw new IllegalStateException("tokenlog.providers." + provider + ".options.auth='" + auth
                    + "' is not known; use bearer or api-key");
        };
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(settings, path))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream");
        settings.apiKey().ifPresent(key -> builder.header(authHeader, "api-key".equals(auth) ? key : "Bearer " + key));
        try {
            settings.headers().forEach(builder::header);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("tokenlog.providers." + provider + ".headers: " + e.getMessage(), e);
        }
        this.template = builder.build();
    }

    Secrets secrets() {
        return secrets;
    }

    /** POSTs {@code body} and returns the event-stream body (registered with the call's stop hook). */
    InputStream open(ObjectNode body, ProviderCall call) throws ProviderException, IOException, InterruptedException {
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a JSON tree could not be written", e);
        }
        HttpRequest request = HttpRequest.newBuilder(template, (name, value) -> true)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return streaming.open(request, call, "text/event-stream");
    }

    private static URI uri(ProviderSettings settings, String path) {
        String base = settings.baseUrl().isBlank() ? DEFAULT_BASE_URL : settings.baseUrl();
        String url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
        String version = settings.options().get("api-version");
        if (version != null) {
            url += (url.contains("?") ? "&" : "?") + "api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
        }
        try {
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("tokenlog.providers." + settings.name() + ".base-url='" + base
                    + "' does not give a valid URL (" + e.getMessage() + "); use e.g. " + DEFAULT_BASE_URL, e);
        }
    }
}
