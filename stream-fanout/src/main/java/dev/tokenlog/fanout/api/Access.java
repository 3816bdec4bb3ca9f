package dev.tokenlog.fanout.api;

import dev.tokenlog.fanout.config.AuthConfig;
import dev.tokenlog.fanout.streams.RequestIndex;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Who may do what, when {@code tokenlog.auth.enabled}: creating a stream needs an API key, whose
 * tenant becomes the stream's owner; reading or cancelling a stream needs the owner's key or the
 * stream's token (signed, expiring, accepted as {@code ?token=} because browsers' EventSource cannot
 * send headers). Another tenant's stream answers 404, exactly like a stream that does not exist.
 * Keys are compared as SHA-256 digests in constant time and never logged.
 */
@ApplicationScoped
public class Access {
    private static final Logger LOG = Logger.getLogger(Access.class);

    private record Key(byte[] digest, String tenant) {}

    private final boolean enabled;
    private final List<Key> keys = new ArrayList<>();
    private final StreamTokens tokens;

    public Access(AuthConfig config, StreamTokens tokens) {
        this.enabled = config.enabled();
        this.tokens = tokens;
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
        }
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
     * Checks that the caller may see the stream {@code found}: the stream's token, or the owner's key.
     *
     * @throws ApiException 401 without any credential, 404 (as for an unknown stream) for someone else's
     */
    public void checkRead(RequestIndex.Lookup found, UnaryOperator<String> header, String token) {
        if (!enabled) {
            return;
        }
        if (token != null && tokens.verify(found.id(), token)) {
            return;
        }
        if (presentedKey(header) == null) {
            throw unauthorized("an API key or the stream's token is required");
        }
        String tenant = tenant(header).orElseThrow();
        String owner = found.owner();
        // A PENDING stream is not indexed yet, so its owner is unknown: it reveals nothing either way.
        if (!"PENDING".equals(found.status()) && !Objects.equals(owner, tenant)) {
            throw ApiException.notFound("no stream with id '" + found.id() + "'");
        }
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
