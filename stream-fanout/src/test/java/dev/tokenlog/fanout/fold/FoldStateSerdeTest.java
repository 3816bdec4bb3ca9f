package dev.tokenlog.fanout.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The fold's internal state survives its changelog: bytes out, the same state back, old JSON included. */
class FoldStateSerdeTest {
    /** How the fold wrote its state before the binary form (FoldStateSerde of the first release). */
    private static final ObjectMapper EARLIER_JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final FoldStateSerde serde = new FoldStateSerde();

    @Test
    void roundTripsARunningRequest() {
        FoldState state = running("héllo \"world\" ✓");

        byte[] bytes = serde.serializer().serialize("fold-state-changelog", state);
        FoldState back = serde.deserializer().deserialize("fold-state-changelog", bytes);

        assertThat(back).isEqualTo(state);
        assertThat(back.attemptId()).isEqualTo("a2");
        assertThat(back.firstChunkOffset()).isEqualTo(42L);
        assertThat(back.firstSeenOffset()).isEqualTo(40L);
        assertThat(back.attempts()).isEqualTo(2);
        assertThat(back.attempt().gaps()).isEqualTo(1);
        assertThat(bytes[0]).as("binary form").isEqualTo(FoldStateCodec.VERSION_2);
    }

    @Test
    void roundTripsAnAcceptedRequestAndTextBeyondSixtyFourKilobytes() {
        FoldState accepted = FoldState.accepted("req-2", null, null, Instant.EPOCH);
        char[] longText = new char[200_000];
        Arrays.fill(longText, 'é');
        FoldState big = running(new String(longText));

        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", accepted))).isEqualTo(accepted);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", big))).isEqualTo(big);
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void roundTripsATruncatedAttemptAndReadsVersionOneWithoutTheOutputCount() {
        FoldState state = running("cut here");
        FoldState truncated = state.withAttempt(state.attempt().kept(8).truncate(), state.lastActivityAt());

        byte[] bytes = serde.serializer().serialize("t", truncated);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(truncated);

        // Version 1 wrote the same fields without the trailing output count (8 bytes) and flag (1 byte).
        byte[] v1 = Arrays.copyOf(serde.serializer().serialize("t", state), bytes.length - 9);
        v1[0] = FoldStateCodec.VERSION_1;
        assertThat(serde.deserializer().deserialize("t", v1)).isEqualTo(state);
    }

    @Test
    void readsTheJsonOfEarlierVersionsIgnoringUnknownFields() throws Exception {
        FoldState state = running("from before the upgrade");
        String json = EARLIER_JSON.writeValueAsString(state);
        String newer = json.replaceFirst("\\{", "{\"addedLater\":1,");

        assertThat(serde.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8))).isEqualTo(state);
        assertThat(serde.deserializer().deserialize("t", newer.getBytes(StandardCharsets.UTF_8))).isEqualTo(state);
    }

    @Test
    void rejectsTruncatedOrUnknownBytesWithASerializationException() {
        byte[] bytes = serde.serializer().serialize("t", running("some text"));

        assertThatThrownBy(() -> serde.deserializer().deserialize("t", Arrays.copyOf(bytes, bytes.length - 5)))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9, 0, 0}))
                .isInstanceOf(SerializationException.class);
    }

    private static FoldState running(String text) {
        Instant t = Instant.parse("2026-03-01T12:00:00.123456789Z");
        AttemptState attempt = AttemptState.begin("a2", 42L).advance(0).source("mock", "m1")
                .advance(1).appendText(text, t)
                .advance(3).toolCall(1, c -> c.named("call-1", "lookup").append("{\"q\":"), t.plusSeconds(1))
                .advance(4).appendReasoning("hmm", t)
                .advance(5).usage(new UsageState(10, 20, 3, 4));
        return FoldState.accepted("req-1", t.minusSeconds(1), "tenant", t)
                .beginAttempt("a1", new ChunkPosition(2, 40L))
                .beginAttempt("a2", new ChunkPosition(2, 42L))
                .withAttempt(attempt, t.plusSeconds(2));
    }
}
