package dev.tokenlog.worker.provider.watsonx;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.ErrorBodies;
import dev.tokenlog.worker.provider.http.HttpErrors;
import dev.tokenlog.worker.provider.http.Secrets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * IBM Cloud IAM access tokens for one provider entry: the api-key is exchanged at
 * {@code {iam-url}/identity/token} (https://cloud.ibm.com/docs/account?topic=account-iamtoken_from_apikey),
 * the token is shared by all calls and renewed once 80% of its lifetime has passed (as IBM's own
 * SDKs do), or when watsonx rejects it. One renewal at a time: concurrent callers wait for it and use
 * its token (a lock rather than {@code synchronized}, which would pin virtual threads during I/O).
 */
final class WatsonxTokens {
    private static final Logger LOG = Logger.getLogger(WatsonxTokens.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String GRANT_TYPE = "urn:ibm:params:oauth:grant-type:apikey";

    private record Cached(String value, Instant renewAt) {}

    private final String provider;
    private final URI endpoint;
    private final String apiKey;
    private final Secrets secrets;
    private final HttpClient client;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Cached current;

    WatsonxTokens(String provider, String iamUrl, String apiKey, Duration connectTimeout, Clock clock) {
        this.provider = provider;
        this.endpoint = URI.create((iamUrl.endsWith("/") ? iamUrl.substring(0, iamUrl.length() - 1) : iamUrl)
                + "/identity/token");
        this.apiKey = apiKey;
        this.secrets = Secrets.of(apiKey);
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
        this.clock = clock;
    }

    /** A valid token, fetched if there is none or it is due for renewal. */
    String token() throws ProviderException, IOException, InterruptedException {
        Cached cached = current;
        if (usable(cached)) {
            return cached.value();
        }
        lock.lockInterruptibly();
        try {
            cached = current;
            if (!usable(cached)) {
                cached = fetch();
                current = cached;
            }
            return cached.value();
        } finally {
            lock.unlock();
        }
    }

    /** A new token after watsonx rejected {@code rejected}, unless another call already renewed it. */
    String renew(String rejected) throws ProviderException, IOException, InterruptedException {
        lock.lockInterruptibly();
        try {
            Cached cached = current;
            if (!usable(cached) || cached.value().equals(rejected)) {
                cached = fetch();
                current = cached;
            }
            return cached.value();
        } finally {
            lock.unlock();
        }
    }

    private boolean usable(Cached cached) {
        return cached != null && clock.instant().isBefore(cached.renewAt());
    }

    private Cached fetch() throws ProviderException, IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(REQUEST_TIMEOUT)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + encode(GRANT_TYPE) + "&apikey=" + encode(apiKey)))
                .build();
        Instant sentAt = clock.instant();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            LOG.warnf("cannot connect to IBM Cloud IAM at %s for %s: %s", endpoint.getHost(), provider, e.toString());
            throw new ProviderException("CONNECT_ERROR", "cannot connect to IBM Cloud IAM for " + provider
                    + " (the worker's log names the address)", true);
        } catch (HttpTimeoutException e) {
            throw new ProviderException("PROVIDER_TIMEOUT", "IBM Cloud IAM did not answer " + provider + " in time", true);
        }
        int status = response.statusCode();
        if (status == 400 || status == 401 || status == 403) {
            // IAM answers 400 for an unknown or revoked api-key.
            throw new ProviderException("PROVIDER_AUTH", "IBM Cloud IAM refused the api-key of " + provider + " (HTTP "
                    + status + ": " + secrets.scrub(iamMessage(response.body()))
                    + "); check tokenlog.providers." + provider + ".api-key", false);
        }
        if (status / 100 != 2) {
            throw HttpErrors.fromStatus(provider + " (IBM Cloud IAM)", status, response.headers(), response.body(), secrets);
        }
        WatsonxWire.Token token = parse(response.body());
        return new Cached(token.accessToken(), sentAt.plus(lifetime(token, sentAt).multipliedBy(4).dividedBy(5)));
    }

    /** From {@code expires_in}, else {@code expiration}; unknown means the token serves this call only. */
    private static Duration lifetime(WatsonxWire.Token token, Instant now) {
        if (token.expiresIn() != null && token.expiresIn() > 0) {
            return Duration.ofSeconds(token.expiresIn());
        }
        if (token.expiration() != null) {
            Duration left = Duration.between(now, Instant.ofEpochSecond(token.expiration()));
            return left.isNegative() ? Duration.ZERO : left;
        }
        return Duration.ZERO;
    }

    private WatsonxWire.Token parse(String body) throws ProviderException {
        try {
            WatsonxWire.Token token = WatsonxWire.JSON.readValue(body, WatsonxWire.Token.class);
            if (token.accessToken() == null || token.accessToken().isBlank()) {
                throw ProviderException.protocol("IBM Cloud IAM answered " + provider + " without an access_token");
            }
            return token;
        } catch (IOException e) {
            throw ProviderException.protocol("IBM Cloud IAM answered " + provider + " with a body that is not a token");
        }
    }

    /** IAM errors are {@code {"errorCode":"BXNIM…","errorMessage":"…"}}. */
    private static String iamMessage(String body) {
        try {
            JsonNode node = WatsonxWire.JSON.readTree(body);
            if (node.path("errorMessage").isTextual()) {
                return (node.path("errorCode").asText("") + " " + node.path("errorMessage").asText()).strip();
            }
        } catch (IOException notJson) {
            // fall back to the generic extraction
        }
        return ErrorBodies.message(body);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
