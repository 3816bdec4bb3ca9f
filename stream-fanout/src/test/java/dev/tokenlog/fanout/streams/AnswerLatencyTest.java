package dev.tokenlog.fanout.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.fanout.fold.AnswerFold;
import dev.tokenlog.fanout.fold.FoldMetrics;
import dev.tokenlog.schemas.RequestIds;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long after its terminal chunk a FinalAnswer can be read, with the app's settings
 * (exactly_once_v2, commit.interval.ms=100, no store cache): a measurement printed for the record,
 * not a timed assertion. Two readers: a read-committed consumer of {@code llm.answers}, and the
 * global answers store the gateway's {@code GET /v1/streams/{id}} reads.
 */
class AnswerLatencyTest {
    private static final int REQUESTS = 30;

    @TempDir
    Path stateDir;

    @Test
    void finalAnswerFollowsItsTerminalChunkWithinAFewHundredMilliseconds() throws Exception {
        try (StreamsHarness harness = new StreamsHarness("latency");
             KafkaConsumer<String, byte[]> answers = harness.reader(harness.topics.answers())) {
            KafkaStreams streams = harness.start(stateDir, new FoldMetrics(), Map.of());
            await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
            Deserializer<FinalAnswer> deserializer = harness.clients.deserializer(FinalAnswer.class);
            long[] topicMs = new long[REQUESTS];
            long[] storeMs = new long[REQUESTS];
            // Request -1 warms up (first schema lookups of each serde); it is not measured.
            for (int i = -1; i < REQUESTS; i++) {
                String id = RequestIds.newId();
                Instant at = Instant.now();
                harness.sendAsync(new ChunkRecord(id, "a1", 0L, at, new Started("mock", "latency", 0)));
                harness.sendAsync(new ChunkRecord(id, "a1", 1L, at, new TextDelta("request " + i)));
                harness.flush();
                long sent = System.nanoTime();
                harness.send(new ChunkRecord(id, "a1", 2L, at, new Completed(FinishReason.STOP, "stop")));
                FinalAnswer answer = awaitAnswer(answers, deserializer, id);
                long topic = (System.nanoTime() - sent) / 1_000_000;
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> answersStore(streams).get(id) != null);
                long store = (System.nanoTime() - sent) / 1_000_000;
                assertThat(answer.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
                assertThat(answer.getText()).isEqualTo("request " + i);
                if (i >= 0) {
                    topicMs[i] = topic;
                    storeMs[i] = store;
                }
            }
            System.out.printf("FinalAnswer latency after the terminal chunk (%d requests, exactly_once_v2, "
                            + "commit.interval.ms=%s): llm.answers consumer p50 %d ms, max %d ms; "
                            + "global answers store p50 %d ms, max %d ms%n", REQUESTS,
                    StreamsHarness.appStreamsProperties().getProperty("commit.interval.ms"),
                    percentile(topicMs, 50), percentile(topicMs, 100), percentile(storeMs, 50), percentile(storeMs, 100));
            System.out.println("per request (llm.answers consumer, ms): " + Arrays.toString(topicMs));
        }
    }

    private static FinalAnswer awaitAnswer(KafkaConsumer<String, byte[]> consumer, Deserializer<FinalAnswer> deserializer,
                                           String id) {
        List<FinalAnswer> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(2))) {
                if (id.equals(r.key())) {
                    found.add(deserializer.deserialize(r.topic(), r.value()));
                }
            }
            return !found.isEmpty();
        });
        return found.get(0);
    }

    private static ReadOnlyKeyValueStore<String, FinalAnswer> answersStore(KafkaStreams streams) {
        return streams.store(StoreQueryParameters.fromNameAndType(AnswerFold.ANSWERS_STORE,
                QueryableStoreTypes.<String, FinalAnswer>keyValueStore()));
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
