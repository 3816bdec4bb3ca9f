package dev.tokenlog.config;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** Asks the schema registry whether it answers, for the apps' readiness checks. */
public final class RegistryProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RegistryProbe() {}

    /** Empty when the registry at {@code tokenlog.registry.url} answers; otherwise what is wrong. */
    public static Optional<String> problem(Map<String, Object> settings) {
        Object url = settings.get("tokenlog.registry.url");
        if (url == null) {
            return Optional.of("tokenlog.registry.url is not set");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/subjects"))
                .timeout(Duration.ofSeconds(2)).GET();
        Object basic = settings.get("tokenlog.registry.basic-auth");
        Object bearer = settings.get("tokenlog.registry.bearer-token");
        if (basic != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(basic.toString().getBytes(StandardCharsets.UTF_8)));
        } else if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            int status = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? Optional.empty() : Optional.of("schema registry at " + url + " answered HTTP " + status);
        } catch (java.io.IOException e) {
            return Optional.of("schema registry at " + url + " is unreachable: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking the schema registry");
        }
    }
}
