package dev.tokenlog.fanout.api;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The HMAC key of stream tokens, from {@code tokenlog.gateway.token-secret}. With API keys on it must
 * be set, to the same value on every gateway (else a token verifies on the one instance that issued
 * it), and hold at least {@link #MIN_BYTES} bytes; the gateway refuses to start otherwise. With API
 * keys off and no secret, each instance picks a random one.
 */
final class TokenSecret {
    static final int MIN_BYTES = 32;
    private static final Logger LOG = Logger.getLogger(TokenSecret.class);
    private static final String HOW = "generate one with `openssl rand -base64 48` and set it as"
            + " TOKENLOG_GATEWAY_TOKEN_SECRET (tokenlog.gateway.token-secret), the same value on every gateway";

    private TokenSecret() {}

    /**
     * The key bytes.
     *
     * @throws IllegalStateException with API keys on, when the secret is missing or shorter than 32 bytes
     */
    static byte[] resolve(boolean authEnabled, Optional<String> configured) {
        byte[] secret = configured.filter(s -> !s.isBlank()).map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (secret == null) {
            if (authEnabled) {
                throw new IllegalStateException("tokenlog.auth.enabled is true but tokenlog.gateway.token-secret is not"
                        + " set: stream tokens need a secret shared by all gateways; " + HOW);
            }
            LOG.info("tokenlog.gateway.token-secret is not set: stream tokens verify on this instance only");
            byte[] random = new byte[MIN_BYTES];
            new SecureRandom().nextBytes(random);
            return random;
        }
        if (secret.length < MIN_BYTES) {
            String problem = "tokenlog.gateway.token-secret is " + secret.length + " bytes long; at least " + MIN_BYTES
                    + " are required";
            if (authEnabled) {
                throw new IllegalStateException(problem + "; " + HOW);
            }
            LOG.warn(problem + " once tokenlog.auth.enabled is true; " + HOW);
        }
        return secret;
    }
}
