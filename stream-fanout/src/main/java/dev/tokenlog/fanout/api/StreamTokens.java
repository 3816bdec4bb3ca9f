package dev.tokenlog.fanout.api;

import dev.tokenlog.fanout.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Signed, expiring per-stream tokens ({@code <expiry-epoch-seconds>.<HMAC-SHA256>}), so a browser
 * can subscribe with a query parameter. Without {@code tokenlog.gateway.token-secret} a random key is
 * used and tokens only verify on the instance that issued them.
 */
@ApplicationScoped
public class StreamTokens {
    private static final Logger LOG = Logger.getLogger(StreamTokens.class);

    private final SecretKeySpec key;
    private final GatewayConfig config;

    public StreamTokens(GatewayConfig config) {
        this.config = config;
        byte[] secret = config.tokenSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            LOG.info("tokenlog.gateway.token-secret is not set: stream tokens verify on this instance only");
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        });
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** A token for {@code streamId} valid for the configured time. */
    public String issue(String streamId) {
        long expiry = Instant.now().plus(config.tokenTtl()).getEpochSecond();
        return expiry + "." + sign(streamId + "." + expiry);
    }

    /** Whether {@code token} was issued for {@code streamId} and has not expired. */
    public boolean verify(String streamId, String token) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        try {
            long expiry = Long.parseLong(token.substring(0, dot));
            String expected = sign(streamId + "." + expiry);
            return expiry > Instant.now().getEpochSecond() && java.security.MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.US_ASCII),
                    token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
