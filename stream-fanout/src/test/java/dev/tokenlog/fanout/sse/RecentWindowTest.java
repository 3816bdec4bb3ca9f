package dev.tokenlog.fanout.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What the live tail may say about a stream's start and history without reading the log. */
class RecentWindowTest {
    private static final long TAIL_START = 1_800_000_000_000L;
    private static final long SKEW = 1_000;
    private static final long REMEMBER = 120_000;
    private static final int VALUE = 100;
    /** Bytes one record of {@link #record} takes in the window. */
    private static final int SIZE = RecentWindow.RECORD_OVERHEAD + 2 * 36 + VALUE;

    /** A UUIDv7 request id with the given time. */
    private static String idAt(long millis, int n) {
        return new UUID((millis << 16) | 0x7000L | n, 0x8000_0000_0000_0000L | n).toString();
    }

    private static ConsumerRecord<String, byte[]> record(String key, long offset) {
        return new ConsumerRecord<>("llm.chunks", 0, offset, key, new byte[VALUE]);
    }

    private static RecentWindow window(long position, int records) {
        return new RecentWindow(position, TAIL_START, (long) records * SIZE, REMEMBER);
    }

    @Test
    void aStreamSeenFromItsStartBeginsAtItsFirstRecordAndItsHistoryComesFromTheWindow() {
        RecentWindow w = window(100, 100);
        long created = TAIL_START + 5_000;
        String a = idAt(created, 1);
        String b = idAt(created, 2);
        long now = created + 10;
        w.add(record(b, 100), now, SKEW);
        w.add(record(a, 101), now, SKEW);
        w.add(record(b, 102), now, SKEW);
        w.add(record(a, 103), now, SKEW);

        assertThat(w.start(a, created, now, SKEW, 104)).isEqualTo(101);
        assertThat(w.start(b, created, now, SKEW, 104)).isEqualTo(100);
        assertThat(w.records(a, 101, 104, 104)).extracting(ConsumerRecord::offset).containsExactly(101L, 103L);
        assertThat(w.records(a, 102, 103, 104)).isEmpty();
        assertThat(w.records(b, 100, 102, 104)).extracting(ConsumerRecord::offset).containsExactly(100L);
        assertThat(w.records(a, 101, 105, 104)).as("beyond the tail's position").isNull();
    }

    @Test
    void aYoungStreamWithNoRecordYetBeginsAtTheTailsPosition() {
        RecentWindow w = window(100, 100);
        long created = TAIL_START + 5_000;
        w.add(record(idAt(created, 1), 100), created, SKEW);
        String quiet = idAt(created, 2);

        assertThat(w.start(quiet, created, created + 10, SKEW, 101)).isEqualTo(101);
        assertThat(w.records(quiet, 100, 101, 101)).as("no record of it in the window").isEmpty();
    }

    @Test
    void aStreamOlderThanTheTailIsNotKnownEvenWithinTheClockSkew() {
        RecentWindow w = window(100, 100);
        long beforeTail = TAIL_START - 10_000;
        long withinSkew = TAIL_START + SKEW / 2;
        String old = idAt(beforeTail, 1);
        String close = idAt(withinSkew, 2);
        long now = TAIL_START + 2_000;
        w.add(record(old, 100), now, SKEW); // its first chunks may lie before the tail's start
        w.add(record(close, 101), now, SKEW);

        assertThat(w.start(old, beforeTail, now, SKEW, 102)).isEqualTo(-1);
        assertThat(w.start(close, withinSkew, now, SKEW, 102)).isEqualTo(-1);
        assertThat(w.start(idAt(withinSkew, 3), withinSkew, now, SKEW, 102)).as("not seen, but maybe written before the tail")
                .isEqualTo(-1);
        assertThat(w.records(old, 100, 102, 102)).as("its records since the tail started are still here")
                .extracting(ConsumerRecord::offset).containsExactly(100L);
    }

    @Test
    void evictionByBytesMovesTheCoverageButKeepsTheKnownStart() {
        RecentWindow w = window(0, 3);
        long created = TAIL_START + 5_000;
        String a = idAt(created, 1);
        for (long offset = 0; offset < 5; offset++) {
            w.add(record(a, offset), created, SKEW);
        }
        assertThat(w.coveredFrom()).isEqualTo(2);
        assertThat(w.bytes()).isEqualTo(3L * SIZE);
        assertThat(w.records(a, 1, 5, 5)).as("offset 1 left the window").isNull();
        assertThat(w.records(a, 2, 5, 5)).extracting(ConsumerRecord::offset).containsExactly(2L, 3L, 4L);
        assertThat(w.start(a, created, created, SKEW, 5)).isEqualTo(0);
    }

    @Test
    void recordsWithoutAKeyOrWithAForeignKeyDoNotBreakTheCoverage() {
        RecentWindow w = window(0, 10);
        long created = TAIL_START + 5_000;
        String a = idAt(created, 1);
        w.add(new ConsumerRecord<>("llm.chunks", 0, 0, null, new byte[VALUE]), created, SKEW);
        w.add(record("not-a-request-id", 1), created, SKEW);
        w.add(record(a, 2), created, SKEW);

        assertThat(w.start("not-a-request-id", created, created, SKEW, 3)).isEqualTo(-1);
        assertThat(w.records(a, 0, 3, 3)).extracting(ConsumerRecord::offset).containsExactly(2L);
        assertThat(w.records("not-a-request-id", 0, 3, 3)).extracting(ConsumerRecord::offset).containsExactly(1L);
    }

    @Test
    void aForgottenStreamIsNeverReportedAsNotStartedYet() {
        RecentWindow w = window(0, 1);
        long created = TAIL_START + 5_000;
        String a = idAt(created, 1);
        String b = idAt(created + 1, 2);
        w.add(record(a, 0), created, SKEW);
        w.add(record(b, 1), created, SKEW); // pushes a's record out of the window

        long later = created + REMEMBER + 1;
        w.expire(later);
        assertThat(w.streams()).as("b still has its record in the window").isEqualTo(1);
        assertThat(w.start(a, created, later, SKEW, 2)).as("too old to tell").isEqualTo(-1);
        assertThat(w.start(b, created + 1, later, SKEW, 2)).isEqualTo(1);

        w.add(record(a, 2), later, SKEW); // a long stream writes again after it was forgotten
        assertThat(w.start(a, created, later, SKEW, 3)).as("its first record is not this one").isEqualTo(-1);
    }
}
