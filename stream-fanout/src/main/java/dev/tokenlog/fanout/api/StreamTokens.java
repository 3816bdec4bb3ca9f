package dev.tokenlog.fanout.api;

import dev.tokenlog.fanout.config.AuthConfig;
import dev.tokenlog.fanout.config.GatewayConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring per-stream tokens, so a browser can subscribe with a query parameter:
 * {@code v2.<scope>.<expiry-epoch-seconds>.<HMAC-SHA256>}, the HMAC over the version, the scope, the
 * stream id and the expiry. A token does one thing ({@link Scope}): a read token cannot cancel.
 * Tokens of the first format ({@code <expiry>.<hmac>}, read and cancel alike) no longer verify.
 * Created at start so that a missing or short secret stops the gateway there ({@link TokenSecret}).
 */
@Startup
@ApplicationScoped
public class StreamTokens {
    private static final String VERSION = "v2";

    /** What a token allows on its stream. */
    public enum Scope {
        /** {@code GET /v1/streams/{id}} and {@code GET /v1/streams/{id}/events}. */
        READ("read"),
        /** {@code POST /v1/streams/{id}/cancel}. */
        CANCEL("cancel");

        private final String wire;

        Scope(String wire) {
            this.wire = wire;
        }

        static Optional<Scope> of(String wire) {
            for (Scope s : values()) {
                if (s.wire.equals(wire)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    @Inject
    public StreamTokens(GatewayConfig config, AuthConfig auth) {
        this(TokenSecret.resolve(auth.enabled(), config.tokenSecret()), config.tokenTtl(), Clock.systemUTC());
    }

    StreamTokens(byte[] secret, Duration ttl, Clock clock) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A token for {@code streamId} allowing {@code scope}, valid for {@code tokenlog.gateway.token-ttl}. */
    public String issue(String streamId, Scope scope) {
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        return VERSION + "." + scope.wire + "." + expiry + "." + sign(scope, streamId, expiry);
    }

    /**
     * The scope of {@code token} if it was issued by a gateway with this secret for {@code streamId} and
     * has not expired; empty for anything else (forged, altered, expired, another stream's, old format).
     */
    public Optional<Scope> verify(String streamId, String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            return Optional.empty();
        }
        Optional<Scope> scope = Scope.of(parts[1]);
        long expiry;
        try {
            expiry = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (scope.isEmpty() || expiry <= clock.instant().getEpochSecond()) {
            return Optional.empty();
        }
        boolean authentic = MessageDigest.isEqual(sign(scope.get(), streamId, expiry).getBytes(StandardCharsets.US_ASCII),
                parts[3].getBytes(StandardCharsets.US_ASCII));
        return authentic ? scope : Optional.empty();
    }

    private String sign(Scope scope, String streamId, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            String payload = VERSION + "\n" + scope.wire + "\n" + streamId + "\n" + expiry;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
