package dev.tokenlog.fanout.fold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.AnswerError;
import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinalToolCall;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.StreamIndexEntry;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.schemas.Topics;
import dev.tokenlog.serde.AvroSerdes;
import dev.tokenlog.testsupport.TestRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fold topology, driven by {@link TopologyTestDriver} with the real Avro serdes and a real registry. */
class AnswerFoldTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static Map<String, Object> serdeConfig;

    @TempDir
    Path stateDir;
    private FoldMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, LlmRequest> requests;
    private TestInputTopic<String, ChunkRecord> chunks;
    private TestOutputTopic<String, FinalAnswer> answers;
    private KeyValueStore<String, FoldState> states;
    private TestOutputTopic<String, StreamIndexEntry> index;
    private KeyValueStore<String, StreamIndexEntry> indexStore;

    @BeforeAll
    static void registry() {
        serdeConfig = Map.of("tokenlog.registry.url", TestRegistry.shared().ccompatUrl());
    }

    @BeforeEach
    void startDriver() {
        startDriver(FoldSettings.defaults());
    }

    private void startDriver(FoldSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "answer-fold-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Serde<LlmRequest> requestSerde = AvroSerdes.serde(LlmRequest.class, serdeConfig);
        Serde<ChunkRecord> chunkSerde = AvroSerdes.serde(ChunkRecord.class, serdeConfig);
        Serde<FinalAnswer> answerSerde = AvroSerdes.serde(FinalAnswer.class, serdeConfig);
        Serde<StreamIndexEntry> indexSerde = AvroSerdes.serde(StreamIndexEntry.class, serdeConfig);
        metrics = new FoldMetrics();
        driver = new TopologyTestDriver(AnswerFold.build(FoldTopics.defaults(), requestSerde, chunkSerde,
                answerSerde, indexSerde, settings, metrics), props, T0);
        index = driver.createOutputTopic(Topics.STREAM_INDEX, new StringDeserializer(), indexSerde.deserializer());
        indexStore = driver.getKeyValueStore(AnswerFold.INDEX_STORE);
        requests = driver.createInputTopic(Topics.REQUESTS, new StringSerializer(), requestSerde.serializer());
        chunks = driver.createInputTopic(Topics.CHUNKS, new StringSerializer(), chunkSerde.serializer());
        answers = driver.createOutputTopic(Topics.ANSWERS, new StringDeserializer(), answerSerde.deserializer());
        states = driver.getKeyValueStore(AnswerFold.STATE_STORE);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void foldsTextOfOneRequestInOrder() {
        Instant createdAt = T0.minusSeconds(5);
        String id = submit(createdAt, "tenant-a");
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("Hel"), a.text("lo, "), a.text("world"), a.usage(7, 3),
                a.completed(FinishReason.STOP, "stop"));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
        assertThat(answer.getText()).isEqualTo("Hello, world");
        assertThat(answer.getReasoning()).isEmpty();
        assertThat(answer.getToolCalls()).isEmpty();
        assertThat(answer.getFinishReason()).isEqualTo(FinishReason.STOP);
        assertThat(answer.getRawFinishReason()).isEqualTo("stop");
        assertThat(answer.getUsage()).isEqualTo(new Usage(7L, 3L, 0L, 0L));
        assertThat(answer.getProvider()).isEqualTo("mock");
        assertThat(answer.getModel()).isEqualTo("m1");
        assertThat(answer.getAttempts()).isEqualTo(1);
        assertThat(answer.getChunkCount()).isEqualTo(6);
        assertThat(answer.getGaps()).isZero();
        assertThat(answer.getCreatedAt()).isEqualTo(createdAt);
        assertThat(answer.getFirstTokenAt()).isEqualTo(a.producedAt(1));
        assertThat(answer.getCompletedAt()).isEqualTo(a.producedAt(5));
        assertThat(answer.getError()).isNull();
        assertThat(answer.getChunkPartition()).isZero();
        assertThat(answer.getFirstChunkOffset()).isZero();
        assertThat(states.get(id)).as("state deleted at the terminal").isNull();
        assertThat(metrics.chunksFolded()).isEqualTo(6);
    }

    @Test
    void foldsInterleavedRequestsIndependently() {
        String first = submit(T0, null);
        String second = submit(T0, null);
        AttemptScript a = attempt(first, "a");
        AttemptScript b = attempt(second, "b");
        send(a.started("mock", "m1"), b.started("mock", "m2"), a.text("one "), b.text("uno "), b.text("dos"),
                a.text("two"), b.completed(FinishReason.STOP, null), a.completed(FinishReason.LENGTH, "length"));

        Map<String, FinalAnswer> all = drainAnswers();
        assertThat(all).containsOnlyKeys(first, second);
        assertThat(all.get(first).getText()).isEqualTo("one two");
        assertThat(all.get(first).getModel()).isEqualTo("m1");
        assertThat(all.get(first).getFinishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(all.get(second).getText()).isEqualTo("uno dos");
        assertThat(all.get(second).getModel()).isEqualTo("m2");
        assertThat(all.get(second).getChunkCount()).isEqualTo(4);
    }

    @Test
    void ignoresDuplicateChunks() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        ChunkRecord started = a.started("mock", "m1");
        ChunkRecord hello = a.text("hello");
        send(started, hello, hello, started, a.at(1, new TextDelta("hello again")),
                a.completed(FinishReason.STOP, null));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getText()).isEqualTo("hello");
        assertThat(answer.getChunkCount()).isEqualTo(3);
        assertThat(answer.getGaps()).isZero();
        assertThat(metrics.duplicatesIgnored()).isEqualTo(3);
    }

    @Test
    void countsAndFlagsSeqGap() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("a"));
        a.skip(2);
        send(a.text("d"), a.completed(FinishReason.STOP, null));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
        assertThat(answer.getText()).isEqualTo("ad");
        assertThat(answer.getGaps()).isEqualTo(2);
        assertThat(answer.getChunkCount()).isEqualTo(4);
        assertThat(metrics.gaps()).isEqualTo(2);
    }

    @Test
    void newAttemptMidStreamDiscardsEarlierPartialOutput() {
        String id = submit(T0, null);
        AttemptScript first = attempt(id, "attempt-1");
        send(first.started("mock", "m1"), first.reasoning("thinking"), first.text("stale text"),
                first.toolStarted(0, "call-1", "lookup"), first.toolDelta(0, "{}"), first.usage(5, 5));
        AttemptScript second = new AttemptScript(id, "attempt-2", T0.plusSeconds(60));
        send(second.started("backup", "m2"));
        long secondStartedOffset = 6; // after the first attempt's six chunks
        send(first.text(" from a zombie worker"), second.text("fresh"), second.completed(FinishReason.STOP, null));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getText()).isEqualTo("fresh");
        assertThat(answer.getReasoning()).isEmpty();
        assertThat(answer.getToolCalls()).isEmpty();
        assertThat(answer.getUsage()).isNull();
        assertThat(answer.getAttempts()).isEqualTo(2);
        assertThat(answer.getChunkCount()).isEqualTo(3);
        assertThat(answer.getProvider()).isEqualTo("backup");
        assertThat(answer.getFirstTokenAt()).isEqualTo(second.producedAt(1));
        assertThat(answer.getFirstChunkOffset()).isEqualTo(secondStartedOffset);
        assertThat(metrics.staleChunksIgnored()).isEqualTo(1);
    }

    @Test
    void cancelEndsCancelled() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("partial"), a.cancelled("user pressed stop"));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.CANCELLED);
        assertThat(answer.getText()).isEqualTo("partial");
        assertThat(answer.getError()).isEqualTo(new AnswerError("CANCELLED", "user pressed stop"));
        assertThat(answer.getFinishReason()).isNull();
        assertThat(answer.getCompletedAt()).isEqualTo(a.producedAt(2));
    }

    @Test
    void failureAfterPartialOutputKeepsTheText() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("half an "), a.text("answer"),
                a.failed("PROVIDER_ERROR", "upstream closed the stream", true));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.FAILED);
        assertThat(answer.getText()).isEqualTo("half an answer");
        assertThat(answer.getError()).isEqualTo(new AnswerError("PROVIDER_ERROR", "upstream closed the stream"));
        assertThat(answer.getChunkCount()).isEqualTo(4);
    }

    @Test
    void toolCallArgumentsSplitAcrossChunksAreJoinedAndValidated() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"),
                a.toolStarted(0, "call-1", "weather"), a.toolStarted(1, "call-2", "broken"),
                a.toolDelta(0, "{\"city\":"), a.toolDelta(1, "{\"a\": "), a.toolDelta(0, " \"Paris\"}"),
                a.toolDelta(1, "1"), a.toolFinished(0), a.toolFinished(1),
                a.completed(FinishReason.TOOL_CALLS, "tool_calls"));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getText()).isEmpty();
        assertThat(answer.getFinishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(answer.getToolCalls()).containsExactly(
                new FinalToolCall(0, "call-1", "weather", "{\"city\": \"Paris\"}", true),
                new FinalToolCall(1, "call-2", "broken", "{\"a\": 1", false));
        assertThat(answer.getFirstTokenAt()).isEqualTo(a.producedAt(1));
    }

    @Test
    void lateChunkAfterTerminalIsIgnored() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("done"), a.completed(FinishReason.STOP, null));
        send(a.text(" and more"), new AttemptScript(id, "a2", T0.plusSeconds(30)).started("mock", "m1"));
        requests.pipeInput(id, request(id, T0, null));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getText()).isEqualTo("done");
        assertThat(states.get(id)).isNull();
        assertThat(metrics.lateChunksIgnored()).isEqualTo(2);
        assertThat(metrics.answersEmitted()).isEqualTo(1);
    }

    @Test
    void quietRequestsAreAbandonedWithWhatTheyHad() {
        String quiet = submit(T0, null);
        AttemptScript q = attempt(quiet, "q1");
        send(q.started("mock", "m1"), q.text("partial"));
        String neverStarted = submit(T0.minusSeconds(1), "tenant-b");

        driver.advanceWallClockTime(Duration.ofMinutes(10));
        String busy = submit(T0.plus(Duration.ofMinutes(10)), null);
        AttemptScript b = new AttemptScript(busy, "b1", T0.plus(Duration.ofMinutes(10)));
        send(b.started("mock", "m1"));
        driver.advanceWallClockTime(Duration.ofMinutes(4));
        assertThat(answers.isEmpty()).as("nothing is quiet for 15 minutes yet").isTrue();

        driver.advanceWallClockTime(Duration.ofMinutes(2));
        Instant abandonedAt = T0.plus(Duration.ofMinutes(16));
        send(q.completed(FinishReason.STOP, null), new AttemptScript(quiet, "q2", abandonedAt).started("mock", "m1"));

        Map<String, FinalAnswer> all = drainAnswers();
        assertThat(all).containsOnlyKeys(quiet, neverStarted);
        FinalAnswer partial = all.get(quiet);
        assertThat(partial.getStatus()).isEqualTo(AnswerStatus.ABANDONED);
        assertThat(partial.getText()).isEqualTo("partial");
        assertThat(partial.getAttempts()).isEqualTo(1);
        assertThat(partial.getCompletedAt()).isEqualTo(abandonedAt);
        assertThat(partial.getError().getCode()).isEqualTo("ABANDONED");
        assertThat(partial.getError().getMessage()).startsWith("no activity for 15m (its worker stopped mid-stream)");
        FinalAnswer empty = all.get(neverStarted);
        assertThat(empty.getStatus()).isEqualTo(AnswerStatus.ABANDONED);
        assertThat(empty.getAttempts()).isZero();
        assertThat(empty.getChunkCount()).isZero();
        assertThat(empty.getProvider()).isNull();
        assertThat(empty.getCreatedAt()).isEqualTo(T0.minusSeconds(1));
        assertThat(states.get(busy)).as("active 6 minutes ago").isNotNull();
        assertThat(states.get(quiet)).isNull();
        assertThat(metrics.abandoned()).isEqualTo(2);
        assertThat(metrics.lateChunksIgnored()).as("terminal and new Started after abandonment").isEqualTo(2);
    }

    @Test
    void stateStoreExposesStatusAndChunkPositions() {
        AttemptScript other = attempt(submit(T0, null), "x");
        send(other.started("mock", "m1"), other.text("x"), other.text("y"));
        Instant createdAt = T0.minusSeconds(2);
        String id = submit(createdAt, "tenant-a");

        FoldState accepted = states.get(id);
        assertThat(accepted.status()).isEqualTo(FoldState.Status.ACCEPTED);
        assertThat(accepted.createdAt()).isEqualTo(createdAt);
        assertThat(accepted.owner()).isEqualTo("tenant-a");
        assertThat(accepted.attemptId()).isNull();
        assertThat(accepted.chunkPartition()).isNull();
        assertThat(accepted.firstChunkOffset()).isNull();
        assertThat(accepted.firstSeenOffset()).isNull();

        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("hi"));
        FoldState running = states.get(id);
        assertThat(running.status()).isEqualTo(FoldState.Status.RUNNING);
        assertThat(running.attemptId()).isEqualTo("a1");
        assertThat(running.chunkPartition()).isZero();
        assertThat(running.firstChunkOffset()).isEqualTo(3);
        assertThat(running.firstSeenOffset()).isEqualTo(3);
        assertThat(running.owner()).isEqualTo("tenant-a");

        send(new AttemptScript(id, "a2", T0.plusSeconds(30)).started("mock", "m1"));
        FoldState retried = states.get(id);
        assertThat(retried.attemptId()).isEqualTo("a2");
        assertThat(retried.attempts()).isEqualTo(2);
        assertThat(retried.firstChunkOffset()).as("the current attempt's Started").isEqualTo(5);
        assertThat(retried.firstSeenOffset()).as("the first chunk of any attempt").isEqualTo(3);
        assertThat(answers.isEmpty()).isTrue();
    }

    @Test
    void streamIndexHasAcceptedThenRunningWithTheFirstChunkAndIsDeletedWithTheAnswer() {
        AttemptScript other = attempt(submit(T0, null), "x");
        send(other.started("mock", "m1"), other.text("x"));
        String id = submit(T0.minusSeconds(2), "tenant-a");
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("hi"), a.text(" there"));
        AttemptScript a2 = new AttemptScript(id, "a2", T0.plusSeconds(30));
        send(a2.started("mock", "m1"));

        List<org.apache.kafka.streams.test.TestRecord<String, StreamIndexEntry>> entries = index.readRecordsToList()
                .stream().filter(r -> r.key().equals(id)).toList();
        assertThat(entries).extracting(r -> r.value().getStatus()).as("one entry per change, not per chunk")
                .containsExactly("ACCEPTED", "RUNNING");
        assertThat(entries.get(0).value().getOwner()).isEqualTo("tenant-a");
        assertThat(entries.get(0).value().getFirstChunkOffset()).isNull();
        assertThat(entries.get(1).value().getFirstChunkOffset()).isEqualTo(2);
        assertThat(entries.get(1).value().getChunkPartition()).isZero();
        assertThat(indexStore.get(id).getStatus()).as("global store of the index").isEqualTo("RUNNING");

        send(a2.completed(FinishReason.STOP, "stop"));
        List<org.apache.kafka.streams.test.TestRecord<String, StreamIndexEntry>> end = index.readRecordsToList();
        assertThat(end).hasSize(1);
        assertThat(end.get(0).key()).isEqualTo(id);
        assertThat(end.get(0).value()).as("tombstone").isNull();
        assertThat(indexStore.get(id)).isNull();
        assertThat(onlyAnswer(id).getStatus()).isEqualTo(AnswerStatus.COMPLETED);
    }

    @Test
    void startedWithoutRequestRecordTakesCreatedAtFromTheUuidV7Id() {
        Instant createdAt = Instant.parse("2026-02-28T08:15:30.123Z");
        String id = uuidV7(createdAt);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("ok"), a.completed(FinishReason.STOP, null));
        AttemptScript other = attempt("not-a-uuid-v7", "a1");
        send(other.started("mock", "m1"), other.completed(FinishReason.STOP, null));

        Map<String, FinalAnswer> all = drainAnswers();
        assertThat(all.get(id).getCreatedAt()).isEqualTo(createdAt);
        assertThat(all.get(id).getText()).isEqualTo("ok");
        assertThat(all.get("not-a-uuid-v7").getCreatedAt()).isNull();
        assertThat(all.get("not-a-uuid-v7").getStatus()).isEqualTo(AnswerStatus.COMPLETED);
    }

    @Test
    void answersStoreHoldsTheEmittedAnswer() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("stored"), a.completed(FinishReason.STOP, null));

        FinalAnswer emitted = onlyAnswer(id);
        KeyValueStore<String, ValueAndTimestamp<FinalAnswer>> store =
                driver.getTimestampedKeyValueStore(AnswerFold.ANSWERS_STORE);
        assertThat(store.get(id).value()).isEqualTo(emitted);
        assertThat(store.get(id).value().getText()).isEqualTo("stored");
    }

    @Test
    void longAnswerSpillsPastTheInlineLimitSoStateWritesStopGrowing() {
        String id = submit(T0, null);
        AttemptScript stale = attempt(id, "a0");
        send(stale.started("mock", "m1"), stale.text("x".repeat(AttemptState.INLINE_LIMIT)), stale.text("spilled"));
        KeyValueStore<String, byte[]> deltas = driver.getKeyValueStore(AnswerFold.DELTAS_STORE);
        assertThat(countEntries(deltas)).isEqualTo(1);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"));
        assertThat(countEntries(deltas)).as("the superseded attempt's deltas are dropped").isZero();

        FoldStateSerde serde = new FoldStateSerde();
        StringBuilder expected = new StringBuilder();
        int sizeAt400 = 0;
        for (int i = 0; i < 600; i++) {
            String word = "word" + i + " ";
            expected.append(word);
            send(a.text(word));
            if (i == 400) {
                sizeAt400 = serde.serializer().serialize("t", states.get(id)).length;
            }
        }
        int sizeAt600 = serde.serializer().serialize("t", states.get(id)).length;
        assertThat(sizeAt600).as("state bytes no longer grow").isEqualTo(sizeAt400)
                .isLessThan(AttemptState.INLINE_LIMIT + 512);
        assertThat(countEntries(deltas)).isBetween(300L, 599L);

        send(a.completed(FinishReason.STOP, null));
        assertThat(onlyAnswer(id).getText()).isEqualTo(expected.toString());
        assertThat(countEntries(deltas)).as("dropped with the answer").isZero();
    }

    @Test
    void outputBeyondTheAnswerLimitIsCountedButNotKeptAndTheAnswerSaysTruncated() {
        driver.close();
        startDriver(FoldSettings.defaults().withMaxAnswerBytes(10_000));
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("é".repeat(1_500)), a.text("x".repeat(1_000)), // 4,000 bytes, spilled
                a.usage(7, 1));
        KeyValueStore<String, byte[]> deltas = driver.getKeyValueStore(AnswerFold.DELTAS_STORE);
        FoldStateSerde serde = new FoldStateSerde();
        int stateBytes = serde.serializer().serialize("t", states.get(id)).length;
        for (int i = 0; i < 200; i++) {
            send(a.text("y".repeat(99) + "✓")); // 102 bytes each: 58 fit in the 6,000 left, then 84 bytes of the 59th
        }
        send(a.reasoning("not kept either"), a.usage(7, 9_999));
        assertThat(countEntries(deltas)).as("the log stops growing at the limit").isEqualTo(59);
        assertThat(serde.serializer().serialize("t", states.get(id)).length).isEqualTo(stateBytes);
        send(a.completed(FinishReason.STOP, "stop"));

        FinalAnswer answer = onlyAnswer(id);
        String kept = "é".repeat(1_500) + "x".repeat(1_000) + ("y".repeat(99) + "✓").repeat(58) + "y".repeat(84);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
        assertThat(answer.getTruncated()).isTrue();
        assertThat(answer.getText()).isEqualTo(kept);
        assertThat(AnswerSize.utf8Length(answer.getText())).isEqualTo(10_000);
        assertThat(answer.getReasoning()).isEmpty();
        assertThat(answer.getChunkCount()).as("every chunk counted").isEqualTo(207);
        assertThat(answer.getUsage()).isEqualTo(new Usage(7L, 9_999L, 0L, 0L));
        assertThat(metrics.answersTruncated()).isEqualTo(1);
        assertThat(countEntries(deltas)).isZero();
    }

    @Test
    void anAnswerShortEnoughToKeepIsNotFlagged() {
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"), a.text("short"), a.completed(FinishReason.STOP, "stop"));
        assertThat(onlyAnswer(id).getTruncated()).isFalse();
        assertThat(metrics.answersTruncated()).isZero();
    }

    @Test
    void toolCallNamesCountTowardTheLimitAndNoNewCallIsKeptPastIt() {
        driver.close();
        startDriver(FoldSettings.defaults().withMaxAnswerBytes(1_000));
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"));
        for (int i = 0; i < 50; i++) { // 3 + 96 bytes per call: 10 fit in 1,000
            send(a.toolStarted(i, "c-" + (char) ('a' + i % 26), "f".repeat(96)), a.toolDelta(i, ""), a.toolFinished(i));
        }
        send(a.completed(FinishReason.TOOL_CALLS, "tool_calls"));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
        assertThat(answer.getTruncated()).isTrue();
        assertThat(answer.getToolCalls()).hasSize(10).extracting(FinalToolCall::getIndex)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(answer.getChunkCount()).isEqualTo(152);
    }

    @Test
    void anAnswerThatWouldStillNotFitTheTopicIsWrittenFailedWithTheReason() {
        driver.close();
        startDriver(FoldSettings.defaults().withMaxAnswerBytes(AnswerSize.MAX_OUTPUT));
        String id = submit(T0, null);
        AttemptScript a = attempt(id, "a1");
        send(a.started("mock", "m1"));
        String piece = "x".repeat(256 * 1024);
        for (int i = 0; i < 60; i++) { // 15 MiB of text: the largest output the settings allow
            send(a.text(piece));
        }
        // The failure's message is not output: with it, the answer is over what llm.answers takes.
        send(a.failed("PROVIDER_ERROR", "é".repeat(700_000), true));

        FinalAnswer answer = onlyAnswer(id);
        assertThat(answer.getStatus()).isEqualTo(AnswerStatus.FAILED);
        assertThat(answer.getError().getCode()).isEqualTo("ANSWER_TOO_LARGE");
        assertThat(answer.getError().getMessage()).contains("more than llm.answers takes").contains("llm.chunks")
                .contains("/v1/streams/" + id + "/events");
        assertThat(answer.getText()).isEmpty();
        assertThat(answer.getTruncated()).isTrue();
        assertThat(answer.getChunkCount()).isEqualTo(62);
        assertThat(metrics.answersTooLarge()).isEqualTo(1);
    }

    // ---- helpers ----

    private static long countEntries(KeyValueStore<String, byte[]> store) {
        try (var all = store.all()) {
            long n = 0;
            while (all.hasNext()) {
                all.next();
                n++;
            }
            return n;
        }
    }

    private String submit(Instant createdAt, String owner) {
        String id = uuidV7(createdAt);
        requests.pipeInput(id, request(id, createdAt, owner), createdAt);
        return id;
    }

    private static LlmRequest request(String id, Instant createdAt, String owner) {
        return LlmRequest.newBuilder()
                .setRequestId(id)
                .setCreatedAt(createdAt)
                .setRoute(List.of(new RouteTarget("mock", "m1")))
                .setMessages(List.of(new Message("user", "hello", null, null, List.of(), List.of())))
                .setParams(GenerationParams.newBuilder().build())
                .setOwner(owner)
                .build();
    }

    private static AttemptScript attempt(String requestId, String attemptId) {
        return new AttemptScript(requestId, attemptId, T0);
    }

    private void send(ChunkRecord... records) {
        for (ChunkRecord r : records) {
            chunks.pipeInput(r.getRequestId(), r, r.getProducedAt());
        }
    }

    /** Every answer written so far, by request; fails when any request got more than one. */
    private Map<String, FinalAnswer> drainAnswers() {
        Map<String, FinalAnswer> byId = new LinkedHashMap<>();
        for (KeyValue<String, FinalAnswer> kv : answers.readKeyValuesToList()) {
            assertThat(kv.value.getRequestId()).isEqualTo(kv.key);
            assertThat(byId.put(kv.key, kv.value)).as("second FinalAnswer for %s", kv.key).isNull();
        }
        return byId;
    }

    private FinalAnswer onlyAnswer(String id) {
        Map<String, FinalAnswer> all = drainAnswers();
        assertThat(all).containsOnlyKeys(id);
        return all.get(id);
    }

    /** A UUIDv7 (RFC 9562) whose 48-bit timestamp is {@code at}. */
    static String uuidV7(Instant at) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (at.toEpochMilli() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
