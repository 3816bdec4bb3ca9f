package dev.tokenlog.fanout.fold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold's internal state survives its changelog: JSON out, the same state back. */
class FoldStateSerdeTest {
    private final FoldStateSerde serde = new FoldStateSerde();

    @Test
    void roundTripsARunningRequest() throws Exception {
        Instant t = Instant.parse("2026-03-01T12:00:00.123Z");
        AttemptState attempt = AttemptState.begin("a2", 42L).advance(0).source("mock", "m1")
                .advance(1).appendText("héllo \"world\"", t)
                .advance(3).toolCall(1, c -> c.named("call-1", "lookup").append("{\"q\":"), t.plusSeconds(1))
                .advance(4).usage(new UsageState(10, 20, 3, 4));
        FoldState state = FoldState.accepted("req-1", t.minusSeconds(1), "tenant", t)
                .beginAttempt("a1", new ChunkPosition(2, 40L))
                .beginAttempt("a2", new ChunkPosition(2, 42L))
                .withAttempt(attempt, t.plusSeconds(2));

        byte[] json = serde.serializer().serialize("fold-state-changelog", state);
        FoldState back = serde.deserializer().deserialize("fold-state-changelog", json);

        assertThat(back).isEqualTo(state);
        assertThat(back.attemptId()).isEqualTo("a2");
        assertThat(back.firstChunkOffset()).isEqualTo(42L);
        assertThat(back.firstSeenOffset()).isEqualTo(40L);
        assertThat(back.attempts()).isEqualTo(2);
        assertThat(back.attempt().gaps()).isEqualTo(1);
        assertThat(new ObjectMapper().readTree(json).propertyStream().map(Map.Entry::getKey))
                .as("derived accessors are not stored").doesNotContain("attemptId", "firstChunkOffset", "attempts");
    }

    @Test
    void roundTripsAnAcceptedRequestAndToleratesUnknownFields() {
        FoldState state = FoldState.accepted("req-2", null, null, Instant.EPOCH);
        byte[] json = serde.serializer().serialize("t", state);
        String newer = new String(json, StandardCharsets.UTF_8).replaceFirst("\\{", "{\"addedLater\":1,");

        assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(state);
        assertThat(serde.deserializer().deserialize("t", newer.getBytes(StandardCharsets.UTF_8))).isEqualTo(state);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }
}
