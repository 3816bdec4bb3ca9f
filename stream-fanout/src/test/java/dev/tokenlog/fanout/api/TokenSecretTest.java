package dev.tokenlog.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The start-up check of {@code tokenlog.gateway.token-secret}: with API keys on, a gateway needs a real secret. */
class TokenSecretTest {
    private static final String SECRET_32 = "0123456789abcdef0123456789abcdef";

    @Test
    void withKeysOnAMissingOrBlankSecretStopsTheGatewayAndSaysHowToSetOne() {
        for (Optional<String> missing : java.util.List.of(Optional.<String>empty(), Optional.of("  "))) {
            assertThatThrownBy(() -> TokenSecret.resolve(true, missing))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tokenlog.gateway.token-secret is not set")
                    .hasMessageContaining("openssl rand -base64 48")
                    .hasMessageContaining("TOKENLOG_GATEWAY_TOKEN_SECRET");
        }
    }

    @Test
    void withKeysOnASecretShorterThan32BytesStopsTheGateway() {
        assertThatThrownBy(() -> TokenSecret.resolve(true, Optional.of(SECRET_32.substring(1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is 31 bytes long; at least 32 are required")
                .hasMessageNotContaining(SECRET_32.substring(1)) // the secret itself is never shown
                .hasMessageContaining("openssl rand -base64 48");
        assertThat(TokenSecret.resolve(true, Optional.of(SECRET_32))).hasSize(32);
    }

    @Test
    void withKeysOffAMissingSecretIsRandomPerInstanceAndAShortOneIsKept() {
        byte[] one = TokenSecret.resolve(false, Optional.empty());
        byte[] two = TokenSecret.resolve(false, Optional.empty());
        assertThat(one).hasSize(32).isNotEqualTo(two);
        assertThat(TokenSecret.resolve(false, Optional.of("short"))).hasSize(5);
    }

    @Test
    void onlyLoopbackHostsCountAsLocal() {
        for (String local : java.util.List.of("localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]")) {
            assertThat(Access.loopback(local)).as(local).isTrue();
        }
        for (String exposed : java.util.List.of("0.0.0.0", "::", "10.0.0.5", "gateway.example.com")) {
            assertThat(Access.loopback(exposed)).as(exposed).isFalse();
        }
    }
}
