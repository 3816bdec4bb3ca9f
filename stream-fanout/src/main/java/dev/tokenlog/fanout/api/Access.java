package dev.tokenlog.fanout.api;

import dev.tokenlog.fanout.config.AuthConfig;
import dev.tokenlog.fanout.streams.RequestIndex;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Who may do what, when {@code tokenlog.auth.enabled}: creating a stream needs an API key, whose
 * tenant becomes the stream's owner; reading a stream needs the owner's key or the stream's read token
 * (signed, expiring, accepted as {@code ?token=} because browsers' EventSource cannot send headers);
 * cancelling it needs the owner's key or its cancel token. The credential is checked before the stream
 * is looked up, so a request without one gets 401 whether or not the stream exists; another tenant's
 * stream answers 404, exactly like a stream that does not exist. Keys are compared as SHA-256 digests
 * in constant time and never logged.
 */
@Startup
@ApplicationScoped
public class Access {
    private static final Logger LOG = Logger.getLogger(Access.class);

    private record Key(byte[] digest, String tenant) {}

    private final boolean enabled;
    private final List<Key> keys = new ArrayList<>();
    private final StreamTokens tokens;
    private final RequestIndex index;

    public Access(AuthConfig config, StreamTokens tokens, RequestIndex index,
                  @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String httpHost) {
        this.enabled = config.enabled();
        this.tokens = tokens;
        this.index = index;
        for (String entry : config.keys().orElse(List.of())) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("tokenlog.auth.keys: an entry is not of the form <tenant>:<key>"
                        + " (entry " + (keys.size() + 1) + "; its text is not shown because it may hold a key)");
            }
            keys.add(new Key(digest(entry.substring(colon + 1).trim()), entry.substring(0, colon).trim()));
        }
        if (enabled && keys.isEmpty()) {
            throw new IllegalArgumentException("tokenlog.auth.enabled is true but tokenlog.auth.keys names no key;"
                    + " set TOKENLOG_AUTH_KEYS=<tenant>:<key>[,<tenant>:<key>...]");
        }
        if (enabled) {
            LOG.infof("API keys required: %d key(s) for %d tenant(s)", keys.size(),
                    keys.stream().map(Key::tenant).distinct().count());
        } else if (!loopback(httpHost)) {
            LOG.warnf("tokenlog.auth.enabled is false and the HTTP server listens on %s, not only on loopback: anyone"
                    + " who reaches it can start generations on the operator's provider keys and read every stream;"
                    + " set TOKENLOG_AUTH_ENABLED=true with TOKENLOG_AUTH_KEYS and TOKENLOG_GATEWAY_TOKEN_SECRET, or"
                    + " QUARKUS_HTTP_HOST=127.0.0.1", httpHost);
        }
    }

    /** Whether {@code host} (the value of {@code quarkus.http.host}) names only the loopback interface. */
    static boolean loopback(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * The tenant of the caller's key; empty when auth is off.
     *
     * @param header reads a request header by name
     * @throws ApiException 401 when auth is on and the key is missing or unknown
     */
    public Optional<String> tenant(UnaryOperator<String> header) {
        if (!enabled) {
            return Optional.empty();
        }
        String key = presentedKey(header);
        if (key == null) {
            throw unauthorized("an API key is required: send Authorization: Bearer <key> or X-API-Key");
        }
        byte[] presented = digest(key);
        String tenant = null;
        for (Key k : keys) {
            if (MessageDigest.isEqual(k.digest(), presented)) {
                tenant = k.tenant();
            }
        }
        if (tenant == null) {
            throw unauthorized("the API key is not valid");
        }
        return Optional.of(tenant);
    }

    /**
     * Looks the stream {@code id} up for a caller who wants to do {@code scope} to it: first the
     * credential (the stream's token for that scope, or an API key), then the lookup, then ownership.
     *
     * @throws ApiException 401 without a valid credential (before any lookup), 403 for a token of another
     *                      scope, 404 for an unknown stream and (as for an unknown one) for another tenant's
     */
    public RequestIndex.Lookup lookup(String id, StreamTokens.Scope scope, UnaryOperator<String> header, String token) {
        if (!enabled) {
            return index.lookup(id);
        }
        Optional<StreamTokens.Scope> granted = token == null ? Optional.empty() : tokens.verify(id, token);
        if (granted.isPresent() && granted.get() == scope) {
            return index.lookup(id);
        }
        if (presentedKey(header) != null) {
            String tenant = tenant(header).orElseThrow();
            RequestIndex.Lookup found = index.lookup(id);
            // A PENDING stream is not indexed yet, so its owner is unknown: it reveals nothing either way.
            if (!"PENDING".equals(found.status()) && !Objects.equals(found.owner(), tenant)) {
                throw ApiException.notFound("no stream with id '" + id + "'");
            }
            return found;
        }
        if (granted.isPresent()) {
            throw new ApiException(403, "insufficient_scope", "this stream token allows " + name(granted.get())
                    + " only, not " + name(scope) + ": send the stream's " + (scope == StreamTokens.Scope.CANCEL
                    ? "cancel_token" : "token") + " from POST /v1/streams, or the owner's API key");
        }
        throw unauthorized(token == null
                ? "an API key or the stream's token is required: send Authorization: Bearer <key>, or ?token="
                : "the stream token is not valid (expired, altered or issued for another stream): send the owner's"
                        + " API key, or create the stream again for a new token");
    }

    private static String presentedKey(UnaryOperator<String> header) {
        String authorization = header.apply("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String key = authorization.substring(7).trim();
            return key.isEmpty() ? null : key;
        }
        String apiKey = header.apply("X-API-Key");
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    }

    private static String name(StreamTokens.Scope scope) {
        return scope.name().toLowerCase(Locale.ROOT);
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
