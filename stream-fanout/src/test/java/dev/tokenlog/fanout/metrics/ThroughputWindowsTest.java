package dev.tokenlog.fanout.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.fanout.fold.FoldSettings;
import dev.tokenlog.fanout.fold.FoldTopics;
import dev.tokenlog.fanout.streams.DecodeFailures;
import dev.tokenlog.fanout.streams.FanoutTopology;
import dev.tokenlog.fanout.streams.TopologySerdes;
import dev.tokenlog.schemas.Topics;
import dev.tokenlog.testsupport.TestRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The throughput windows inside the combined stream-fanout topology ({@link FanoutTopology}), driven
 * by {@link TopologyTestDriver} with the real Avro serdes and a real registry.
 */
class ThroughputWindowsTest {
    /** Start of a one-minute window. */
    private static final Instant W0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static Map<String, Object> serdeConfig;

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, ChunkRecord> chunks;
    private TestOutputTopic<String, ThroughputWindow> metrics;

    @BeforeAll
    static void registry() {
        serdeConfig = Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void countsStartedCompletedCancelledAndFailedByCodePerProviderAndModel() {
        start(Duration.ofMinutes(1));
        ChunkScript ok = ChunkScript.request(W0);
        send(ok.started(at(1), "mock", "m1"), ok.text(at(2), "hi"), ok.usage(at(3), 30), ok.completed(at(3)));
        for (String code : List.of("PROVIDER_ERROR", "IDLE_TIMEOUT", "PROVIDER_ERROR")) {
            ChunkScript bad = ChunkScript.request(W0);
            send(bad.started(at(4), "mock", "m1"), bad.failed(at(5), code));
        }
        ChunkScript stopped = ChunkScript.request(W0);
        send(stopped.started(at(6), "other", "m2"), stopped.text(at(7), "x"), stopped.cancelled(at(8)));
        ChunkScript running = ChunkScript.request(W0);
        send(running.started(at(9), "mock", "m1"), running.text(at(10), "still going"));
        closeWindowsBefore(W0.plus(Duration.ofMinutes(2)));

        Map<String, ThroughputWindow> written = drain();
        assertThat(written).containsOnlyKeys("mock/m1@" + W0, "other/m2@" + W0);
        ThroughputWindow m1 = written.get("mock/m1@" + W0);
        assertThat(m1.getProvider()).isEqualTo("mock");
        assertThat(m1.getModel()).isEqualTo("m1");
        assertThat(m1.getWindowEnd()).isEqualTo(W0.plus(Duration.ofMinutes(1)));
        assertThat(m1.getRequestsStarted()).isEqualTo(5);
        assertThat(m1.getRequestsCompleted()).isEqualTo(1);
        assertThat(m1.getRequestsFailed()).isEqualTo(3);
        assertThat(m1.getFailedByCode()).isEqualTo(Map.of("PROVIDER_ERROR", 2L, "IDLE_TIMEOUT", 1L));
        assertThat(m1.getRequestsCancelled()).isZero();
        assertThat(m1.getOutputTokens()).isEqualTo(30);
        ThroughputWindow m2 = written.get("other/m2@" + W0);
        assertThat(m2.getRequestsStarted()).isEqualTo(1);
        assertThat(m2.getRequestsCancelled()).isEqualTo(1);
        assertThat(m2.getRequestsCompleted()).isZero();
        assertThat(m2.getFailedByCode()).isEmpty();
    }

    @Test
    void eventsOnTheWindowEdgeBelongToTheWindowThatStartsThere() {
        start(Duration.ofMinutes(1));
        ChunkScript last = ChunkScript.request(W0);
        ChunkScript first = ChunkScript.request(W0);
        send(last.started(W0.plusMillis(59_999), "mock", "m1"), first.started(W0.plusMillis(60_000), "mock", "m1"),
                last.completed(W0.plusMillis(60_000)));
        closeWindowsBefore(W0.plus(Duration.ofMinutes(3)));

        Map<String, ThroughputWindow> written = drain();
        Instant w1 = W0.plus(Duration.ofMinutes(1));
        assertThat(written).containsOnlyKeys("mock/m1@" + W0, "mock/m1@" + w1);
        assertThat(written.get("mock/m1@" + W0).getRequestsStarted()).isEqualTo(1);
        assertThat(written.get("mock/m1@" + W0).getRequestsCompleted()).isZero();
        assertThat(written.get("mock/m1@" + w1).getRequestsStarted()).isEqualTo(1);
        assertThat(written.get("mock/m1@" + w1).getRequestsCompleted()).as("the terminal's own window").isEqualTo(1);
    }

    @Test
    void windowIsWrittenOnceWhenStreamTimePassesItsEndPlusGrace() {
        start(Duration.ofMinutes(1));
        ChunkScript a = ChunkScript.request(W0);
        send(a.started(at(5), "mock", "m1"));
        Instant closesAt = W0.plus(Duration.ofMinutes(1)).plus(GRACE);

        tick(closesAt.minusMillis(1));
        assertThat(metrics.isEmpty()).as("stream time is still within the grace").isTrue();
        tick(closesAt);
        assertThat(drain()).containsOnlyKeys("mock/m1@" + W0);
        tick(closesAt.plus(Duration.ofMinutes(5)));
        assertThat(drain()).as("written once; the tick windows are not closed").doesNotContainKey("mock/m1@" + W0);
    }

    @Test
    void lateEventWithinGraceIsCountedAndAfterGraceDropped() {
        start(Duration.ofMinutes(1));
        Instant closesAt = W0.plus(Duration.ofMinutes(1)).plus(GRACE);
        send(ChunkScript.request(W0).started(at(10), "mock", "m1"));
        tick(closesAt.minusSeconds(2));
        send(ChunkScript.request(W0).started(at(30), "mock", "m1"));
        tick(closesAt);
        send(ChunkScript.request(W0).started(at(40), "mock", "m1"));
        tick(closesAt.plus(Duration.ofMinutes(2)));

        Map<String, ThroughputWindow> written = drain();
        assertThat(written.get("mock/m1@" + W0).getRequestsStarted()).as("on time + late within grace").isEqualTo(2);
        assertThat(storedStarted("mock/m1", W0)).as("the event after the grace never reached the store").isEqualTo(2);
    }

    @Test
    void ttftPercentilesAreMeasuredFromTheRequestIdsCreationTime() {
        start(Duration.ofMinutes(1));
        Instant created = W0.plusSeconds(1);
        for (int i = 100; i >= 1; i--) {
            ChunkScript r = ChunkScript.request(created);
            send(r.started(created.plusMillis(5), "mock", "m1"), r.text(created.plusMillis(10L * i), "a"),
                    r.text(created.plusMillis(10L * i + 1), "b"));
        }
        ChunkScript noOutput = ChunkScript.request(created);
        send(noOutput.started(created.plusMillis(5), "mock", "m1"), noOutput.failed(created.plusMillis(6), "X"));
        closeWindowsBefore(W0.plus(Duration.ofMinutes(2)));

        ThroughputWindow w = drain().get("mock/m1@" + W0);
        assertThat(w.getTtftSamples()).as("one per attempt with output").isEqualTo(100);
        assertThat(w.getTtftMaxMs()).as("exact, from the id's time, not Started").isEqualTo(1000.0);
        assertThat(w.getTtftP50Ms()).as("true p50 is 500 ms; 5 %% bucket accuracy").isBetween(500.0, 525.0);
        assertThat(w.getTtftP95Ms()).as("true p95 is 950 ms").isBetween(950.0, 997.5);
    }

    @Test
    void ttftOfARequestWhoseIdIsNotAUuidV7IsMeasuredFromItsStarted() {
        start(Duration.ofMinutes(1));
        ChunkScript r = new ChunkScript("not-a-uuid", "a1");
        send(r.started(at(1), "mock", "m1"), r.text(at(1).plusMillis(250), "x"));
        closeWindowsBefore(W0.plus(Duration.ofMinutes(2)));

        assertThat(drain().get("mock/m1@" + W0).getTtftMaxMs()).isEqualTo(250.0);
    }

    @Test
    void outputTokensComeFromTheLastUsageAndCountAtTheTerminal() {
        start(Duration.ofMinutes(1));
        ChunkScript a = ChunkScript.request(W0);
        ChunkScript b = ChunkScript.request(W0);
        ChunkScript c = ChunkScript.request(W0);
        send(a.started(at(1), "mock", "m1"), a.usage(at(2), 100), a.usage(at(3), 600), a.completed(at(4)),
                b.started(at(1), "mock", "m1"), b.usage(at(2), 1200), b.failed(at(5), "TRUNCATED"),
                c.started(at(50), "mock", "m1"), c.usage(at(55), 999), c.completed(W0.plusSeconds(61)));
        closeWindowsBefore(W0.plus(Duration.ofMinutes(3)));

        Map<String, ThroughputWindow> written = drain();
        ThroughputWindow first = written.get("mock/m1@" + W0);
        assertThat(first.getOutputTokens()).isEqualTo(1800);
        assertThat(first.getTokensPerSecond()).isCloseTo(30.0, within(1e-9));
        ThroughputWindow second = written.get("mock/m1@" + W0.plus(Duration.ofMinutes(1)));
        assertThat(second.getOutputTokens()).as("attributed to the terminal's window").isEqualTo(999);
        assertThat(second.getRequestsStarted()).isZero();
    }

    @Test
    void duplicateAndStaleChunksAreNotCountedButEveryAttemptIs() {
        start(Duration.ofMinutes(1));
        ChunkScript first = ChunkScript.request(W0);
        ChunkRecord started = first.started(at(1), "mock", "m1");
        ChunkRecord text = first.text(at(2), "a");
        send(started, text, started, text);
        ChunkScript second = first.retry("a2");
        send(second.started(at(3), "backup", "m2"), first.completed(at(4)), second.text(at(5), "b"));
        ChunkRecord done = second.completed(at(6));
        send(done, done);
        closeWindowsBefore(W0.plus(Duration.ofMinutes(2)));

        Map<String, ThroughputWindow> written = drain();
        ThroughputWindow m1 = written.get("mock/m1@" + W0);
        assertThat(m1.getRequestsStarted()).isEqualTo(1);
        assertThat(m1.getTtftSamples()).isEqualTo(1);
        assertThat(m1.getRequestsCompleted()).as("the superseded attempt's terminal is stale").isZero();
        ThroughputWindow m2 = written.get("backup/m2@" + W0);
        assertThat(m2.getRequestsStarted()).isEqualTo(1);
        assertThat(m2.getRequestsCompleted()).isEqualTo(1);
        assertThat(m2.getTtftMaxMs()).as("from the request's creation, across attempts").isEqualTo(5000.0);
    }

    @Test
    void windowLengthIsConfigurableAndTheOpenWindowIsQueryable() {
        start(Duration.ofSeconds(10));
        ChunkScript a = ChunkScript.request(W0);
        send(a.started(at(3), "mock", "m1"), a.usage(at(4), 50), a.completed(at(12)));

        assertThat(storedStarted("mock/m1", W0)).as("open window, readable before it closes").isEqualTo(1);
        assertThat(metrics.isEmpty()).isTrue();
        closeWindowsBefore(W0.plus(Duration.ofMinutes(1)));
        Map<String, ThroughputWindow> written = drain();
        ThroughputWindow second = written.get("mock/m1@" + W0.plusSeconds(10));
        assertThat(second.getWindowEnd()).isEqualTo(W0.plusSeconds(20));
        assertThat(second.getTokensPerSecond()).isCloseTo(5.0, within(1e-9));
        assertThat(written.get("mock/m1@" + W0).getRequestsStarted()).isEqualTo(1);
    }

    // ---- helpers ----

    private void start(Duration window) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "throughput-windows-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Check for closed windows on every record, not once per wall-clock second.
        props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
        TopologySerdes serdes = TopologySerdes.avro(serdeConfig, new DecodeFailures());
        ThroughputSettings settings = new ThroughputSettings(window, GRACE, Duration.ofHours(1),
                Duration.ofMinutes(15), Duration.ofSeconds(10));
        driver = new TopologyTestDriver(FanoutTopology.build(FoldTopics.defaults(), Topics.METRICS, serdes,
                FoldSettings.defaults(), settings, new FoldMetrics()), props, W0);
        chunks = driver.createInputTopic(Topics.CHUNKS, new StringSerializer(), serdes.chunks().serializer());
        metrics = driver.createOutputTopic(Topics.METRICS, new StringDeserializer(), serdes.windows().deserializer());
    }

    private static Instant at(long seconds) {
        return W0.plusSeconds(seconds);
    }

    private void send(ChunkRecord... records) {
        for (ChunkRecord r : records) {
            chunks.pipeInput(r.getRequestId(), r, r.getProducedAt());
        }
    }

    /** Moves stream time to {@code at} with a Started of a provider no test asserts on. */
    private void tick(Instant at) {
        send(ChunkScript.request(at).started(at, "tick", "tick"));
    }

    /** Moves stream time far enough that every window ending at or before {@code end} is closed. */
    private void closeWindowsBefore(Instant end) {
        tick(end.plus(GRACE));
    }

    /** Windows written to llm.metrics so far, by "provider/model@start", without the tick provider's. */
    private Map<String, ThroughputWindow> drain() {
        Map<String, ThroughputWindow> byWindow = new java.util.LinkedHashMap<>();
        for (KeyValue<String, ThroughputWindow> kv : metrics.readKeyValuesToList()) {
            ThroughputWindow w = kv.value;
            assertThat(kv.key).isEqualTo(w.getProvider() + "/" + w.getModel());
            if (!w.getProvider().equals("tick")) {
                String id = kv.key + "@" + w.getWindowStart();
                assertThat(byWindow.put(id, w)).as("window %s written twice", id).isNull();
            }
        }
        return byWindow;
    }

    private long storedStarted(String key, Instant windowStart) {
        WindowStore<String, WindowAggregate> store = driver.getWindowStore(ThroughputWindows.WINDOW_STORE);
        try (KeyValueIterator<Windowed<String>, WindowAggregate> it = store.fetchAll(windowStart, windowStart)) {
            long started = 0;
            while (it.hasNext()) {
                KeyValue<Windowed<String>, WindowAggregate> kv = it.next();
                if (kv.key.key().equals(key)) {
                    started += kv.value.started();
                }
            }
            return started;
        }
    }
}
