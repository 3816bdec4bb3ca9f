package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.StreamIndexEntry;
import dev.tokenlog.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The answer fold: folds each request's chunks into exactly one {@link FinalAnswer} on
 * {@code llm.answers} (ARCHITECTURE.md, guarantee 2).
 *
 * <pre>
 * llm.requests ─▶ fold-register ─┐──▶ llm.stream-index ──▶ stream-index-store (global)
 *                                ├─ fold-state (requestId → {@link FoldState}), fold-deltas (output so far)
 * llm.chunks ───▶ fold-chunks ───┘──▶ llm.answers ──▶ answers-store (global)
 *                  │               └─▶ llm.stream-index (first chunk; tombstone with the answer)
 *                  └ every punctuateEvery: quiet for abandonAfter → ABANDONED
 * </pre>
 *
 * The two global stores are the gateway's index: on every instance, any request is either in the
 * answers store (ended) or in the stream index (accepted or running, with its first chunk's offset).
 *
 * Both inputs are keyed by requestId and co-partitioned, so one task sees all of a request.
 */
public final class AnswerFold {
    /** Local store of requests in flight: requestId → {@link FoldState}. */
    public static final String STATE_STORE = "fold-state";
    /** Local store of the output deltas of requests in flight, see {@link OutputLog}. */
    public static final String DELTAS_STORE = "fold-deltas";
    /** Global store over {@code llm.answers}: requestId → {@link FinalAnswer}, on every instance. */
    public static final String ANSWERS_STORE = "answers-store";
    /** Global store over {@code llm.stream-index}: requestId → {@link StreamIndexEntry} of requests in flight. */
    public static final String INDEX_STORE = "stream-index-store";

    private AnswerFold() {}

    /**
     * Builds the fold with counters nobody reads; prefer
     * {@link #build(FoldTopics, Serde, Serde, Serde, Serde, FoldSettings, FoldMetrics)} to expose them.
     */
    public static Topology build(FoldTopics topics, Serde<LlmRequest> requests, Serde<ChunkRecord> chunks,
                                 Serde<FinalAnswer> answers, Serde<StreamIndexEntry> index, FoldSettings settings) {
        return build(topics, requests, chunks, answers, index, settings, new FoldMetrics());
    }

    /**
     * Builds the fold as a topology of its own (what the fold's {@code TopologyTestDriver} tests run).
     *
     * @param topics   topic names
     * @param requests serde of {@code llm.requests} values
     * @param chunks   serde of {@code llm.chunks} values
     * @param answers  serde of {@code llm.answers} values (written and read back into the global store)
     * @param index    serde of {@code llm.stream-index} values (written and read back into the global store)
     * @param settings abandonment timing
     * @param metrics  counters the fold's processors increment
     */
    public static Topology build(FoldTopics topics, Serde<LlmRequest> requests, Serde<ChunkRecord> chunks,
                                 Serde<FinalAnswer> answers, Serde<StreamIndexEntry> index, FoldSettings settings,
                                 FoldMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, ChunkRecord> chunkStream = builder.stream(topics.chunks(),
                Consumed.with(Serdes.String(), chunks).withName("fold-chunks-source"));
        addTo(builder, chunkStream, topics, requests, answers, index, settings, metrics);
        return builder.build();
    }

    /**
     * Adds the fold to a topology that other pipelines share: Kafka Streams allows one source per
     * topic, so the caller reads {@code llm.chunks} once and hands the stream to every pipeline.
     *
     * @param builder  the shared builder
     * @param chunks   {@code llm.chunks}, keyed by requestId, as read by the caller from {@code topics.chunks()}
     * @param topics   topic names
     * @param requests serde of {@code llm.requests} values
     * @param answers  serde of {@code llm.answers} values (written and read back into the global store)
     * @param index    serde of {@code llm.stream-index} values (written and read back into the global store)
     * @param settings abandonment timing
     * @param metrics  counters the fold's processors increment
     */
    public static void addTo(StreamsBuilder builder, KStream<String, ChunkRecord> chunks, FoldTopics topics,
                             Serde<LlmRequest> requests, Serde<FinalAnswer> answers, Serde<StreamIndexEntry> index,
                             FoldSettings settings, FoldMetrics metrics) {
        // A request's state holds its tool call names and the start of its output, up to the answer limit
        // (tokenlog.fold.max-answer-bytes): its changelog takes records as large as llm.answers does.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), new FoldStateSerde())
                .withLoggingEnabled(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        String.valueOf(Topics.ANSWERS_MAX_MESSAGE_BYTES))));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DELTAS_STORE), Serdes.String(), Serdes.ByteArray()));

        builder.stream(topics.requests(), Consumed.with(Serdes.String(), requests).withName("fold-requests"))
                .process(RequestRegistrar::new, Named.as("fold-register"), STATE_STORE)
                .to(topics.streamIndex(), Produced.with(Serdes.String(), index).withName("fold-index-accepted"));

        // The chunk processor emits FinalAnswers and stream-index entries (null: tombstone).
        chunks.process(() -> new ChunkFoldProcessor(settings, metrics), Named.as("fold-chunks"), STATE_STORE,
                        DELTAS_STORE)
                .split(Named.as("fold-out-"))
                .branch((id, out) -> out instanceof FinalAnswer, Branched.<String, Object>withConsumer(answered -> answered
                        .mapValues(out -> (FinalAnswer) out, Named.as("fold-as-answer"))
                        .to(topics.answers(), Produced.with(Serdes.String(), answers).withName("fold-answers")))
                        .withName("answers"))
                .defaultBranch(Branched.<String, Object>withConsumer(indexed -> indexed
                        .mapValues(out -> (StreamIndexEntry) out, Named.as("fold-as-index"))
                        .to(topics.streamIndex(), Produced.with(Serdes.String(), index).withName("fold-index")))
                        .withName("index"));

        builder.globalTable(topics.streamIndex(), Consumed.with(Serdes.String(), index).withName("stream-index-source"),
                Materialized.<String, StreamIndexEntry, KeyValueStore<Bytes, byte[]>>as(INDEX_STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(index));

        builder.globalTable(topics.answers(), Consumed.with(Serdes.String(), answers).withName("answers-source"),
                Materialized.<String, FinalAnswer, KeyValueStore<Bytes, byte[]>>as(ANSWERS_STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(answers));
    }
}
