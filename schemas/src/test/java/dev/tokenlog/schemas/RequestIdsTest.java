package dev.tokenlog.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestIdsTest {
    /** A private generator for pinned clocks, so the JVM-wide one never sees a future time. */
    private final RequestIds.Generator generator = new RequestIds.Generator();

    @Test
    void hasVersion7AndRfcVariant() {
        for (int i = 0; i < 1000; i++) {
            String id = RequestIds.newId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(RequestIds.isValid(id)).isTrue();
        }
    }

    @Test
    void timestampRoundTripsToTheMillisecond() {
        long before = System.currentTimeMillis();
        String id = RequestIds.newId();
        long after = System.currentTimeMillis();

        assertThat(RequestIds.timestampOf(id).toEpochMilli()).isBetween(before, after);
        long pinned = Instant.parse("2031-05-06T07:08:09.123Z").toEpochMilli();
        assertThat(RequestIds.timestampOf(generator.next(pinned))).isEqualTo(Instant.ofEpochMilli(pinned));
    }

    @Test
    void idAtCarriesTheGivenTimeAndLeavesNewIdsIncreasing() {
        Instant future = Instant.parse("3000-01-01T00:00:00.123Z");
        String id = RequestIds.idAt(future);
        assertThat(RequestIds.isValid(id)).isTrue();
        assertThat(RequestIds.timestampOf(id)).isEqualTo(future);
        assertThat(RequestIds.timestampOf(RequestIds.newId())).as("newId() is not pushed to the year 3000").isBefore(future);
    }

    @Test
    void idsAreStrictlyIncreasingInStringOrderEvenWithinOneMillisecond() {
        List<String> ids = new ArrayList<>();
        long now = Instant.parse("2040-01-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 10_000; i++) {
            ids.add(generator.next(now)); // 10k ids in one millisecond overflow the counter: time advances
        }
        assertThat(ids).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
        assertThat(RequestIds.timestampOf(ids.getLast())).isAfter(Instant.ofEpochMilli(now));
    }

    @Test
    void staysMonotonicWhenTheClockStepsBack() {
        long now = Instant.parse("2041-01-01T00:00:00Z").toEpochMilli();
        String first = generator.next(now);
        String afterStepBack = generator.next(now - 5_000);

        assertThat(afterStepBack).isGreaterThan(first);
    }

    @Test
    void idsOfLaterMillisecondsSortLater() {
        String earlier = generator.next(Instant.parse("2050-01-01T00:00:00Z").toEpochMilli());
        String later = generator.next(Instant.parse("2050-01-01T00:00:00.001Z").toEpochMilli());
        assertThat(later).isGreaterThan(earlier);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not-a-uuid                           | is not a UUID",
        "01890a5d-ac96-774b-bcce-b302099a80   | is not a UUID",
        "01890a5dac96774bbcceb302099a8057     | is not a UUID",
        "1-1-1-1-1                            | is not a UUID",
        "01890a5d-ac96-474b-bcce-b302099a8057 | is a version 4 UUID; request ids must be version 7",
        "01890a5d-ac96-774b-7cce-b302099a8057 | has variant 0",
        "''                                   | is not a UUID",
    })
    void rejectsMalformedOrNonV7Ids(String id, String problem) {
        assertThat(RequestIds.isValid(id)).isFalse();
        assertThatThrownBy(() -> RequestIds.timestampOf(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + id + "'")
                .hasMessageContaining(problem);
    }

    @Test
    void rejectsNull() {
        assertThat(RequestIds.isValid(null)).isFalse();
        assertThatThrownBy(() -> RequestIds.timestampOf(null)).hasMessageContaining("Request id is null");
    }

    @Test
    void acceptsUpperCaseV7() {
        assertThat(RequestIds.timestampOf("01890A5D-AC96-774B-BCCE-B302099A8057"))
                .isEqualTo(Instant.ofEpochMilli(0x01890a5dac96L));
    }
}
