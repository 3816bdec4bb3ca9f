package dev.tokenlog.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Stream tokens: bound to one stream and one scope, expiring, refused when altered or of the old format. */
class StreamTokensTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String ID = "0190f2a0-0000-7000-8000-000000000001";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static StreamTokens at(Instant now) {
        return new StreamTokens(SECRET, Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTokenGrantsItsOwnScopeOnItsOwnStreamOnly() {
        StreamTokens tokens = at(NOW);
        String read = tokens.issue(ID, StreamTokens.Scope.READ);
        String cancel = tokens.issue(ID, StreamTokens.Scope.CANCEL);
        assertThat(tokens.verify(ID, read)).contains(StreamTokens.Scope.READ);
        assertThat(tokens.verify(ID, cancel)).contains(StreamTokens.Scope.CANCEL);
        assertThat(tokens.verify("0190f2a0-0000-7000-8000-000000000002", read)).as("another stream").isEmpty();
        assertThat(new StreamTokens("another-secret-0123456789abcdef-xx".getBytes(StandardCharsets.UTF_8),
                Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC)).verify(ID, read)).as("another secret").isEmpty();
    }

    @Test
    void aTokenExpiresAfterItsTtl() {
        String read = at(NOW).issue(ID, StreamTokens.Scope.READ);
        assertThat(at(NOW.plus(Duration.ofMinutes(59))).verify(ID, read)).isPresent();
        assertThat(at(NOW.plus(Duration.ofHours(1))).verify(ID, read)).isEmpty();
    }

    @Test
    void anAlteredOrOldFormatTokenIsRefused() {
        StreamTokens tokens = at(NOW);
        String read = tokens.issue(ID, StreamTokens.Scope.READ);
        String[] parts = read.split("\\.");
        assertThat(tokens.verify(ID, read.replace("v2.read.", "v2.cancel."))).as("scope widened").isEmpty();
        assertThat(tokens.verify(ID, parts[0] + "." + parts[1] + "." + (Long.parseLong(parts[2]) + 3600) + "." + parts[3]))
                .as("expiry extended").isEmpty();
        assertThat(tokens.verify(ID, parts[2] + "." + parts[3])).as("old format <expiry>.<hmac>").isEmpty();
        for (String junk : new String[] {null, "", "v2", "v2.read.x.y", "v2.admin." + parts[2] + "." + parts[3],
                "v1.read." + parts[2] + "." + parts[3], read + ".extra"}) {
            assertThat(tokens.verify(ID, junk)).as(String.valueOf(junk)).isEmpty();
        }
    }
}
