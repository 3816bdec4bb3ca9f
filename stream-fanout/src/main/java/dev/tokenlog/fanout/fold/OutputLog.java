package dev.tokenlog.fanout.fold;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The output deltas of long attempts in flight, in {@link AnswerFold#DELTAS_STORE}, one entry per
 * chunk keyed {@code requestId␁attemptId␁seq}. An attempt's output stays inline in its
 * {@link FoldState} up to {@link AttemptState#INLINE_LIMIT}; later deltas come here, so a state write
 * stays below a constant size and folding a chunk costs O(1) store and changelog bytes instead of
 * rewriting the whole answer so far (O(n²) bytes over an answer of n chunks). The text is assembled
 * once, when the answer is built.
 */
final class OutputLog {
    private static final char SEPARATOR = '\u0001';
    private static final StringSerializer KEYS = new StringSerializer();
    private final KeyValueStore<String, byte[]> deltas;

    OutputLog(KeyValueStore<String, byte[]> deltas) {
        this.deltas = deltas;
    }

    /** Keeps one delta, as {@link OutputDelta#encode} wrote it. */
    void append(String requestId, String attemptId, long seq, byte[] encodedDelta) {
        deltas.put(prefix(requestId, attemptId) + seqKey(seq), encodedDelta);
    }

    /** {@link #hydrate}, then drops the deltas it read: one scan for both. */
    AttemptState drain(String requestId, AttemptState attempt) {
        List<String> read = new ArrayList<>();
        AttemptState full = hydrate(requestId, attempt, read);
        read.forEach(deltas::delete);
        return full;
    }

    /** The attempt with its kept deltas appended in seq order (to what the state itself holds). */
    AttemptState hydrate(String requestId, AttemptState attempt) {
        return hydrate(requestId, attempt, new ArrayList<>());
    }

    private AttemptState hydrate(String requestId, AttemptState attempt, List<String> keys) {
        StringBuilder text = new StringBuilder(attempt.text());
        StringBuilder reasoning = new StringBuilder(attempt.reasoning());
        SortedMap<Integer, StringBuilder> arguments = new TreeMap<>();
        attempt.toolCalls().forEach((index, call) -> arguments.put(index, new StringBuilder(call.arguments())));
        try (KeyValueIterator<String, byte[]> all = deltas.prefixScan(prefix(requestId, attempt.attemptId()), KEYS)) {
            all.forEachRemaining(kv -> {
                keys.add(kv.key);
                switch (OutputDelta.decode(kv.value)) {
                    case OutputDelta.Text t -> text.append(t.text());
                    case OutputDelta.Reasoning r -> reasoning.append(r.text());
                    case OutputDelta.ToolArguments a ->
                            arguments.computeIfAbsent(a.index(), i -> new StringBuilder()).append(a.text());
                }
            });
        }
        SortedMap<Integer, ToolCallState> calls = new TreeMap<>();
        arguments.forEach((index, args) -> {
            ToolCallState call = attempt.toolCalls().getOrDefault(index, ToolCallState.empty(index));
            calls.put(index, new ToolCallState(index, call.id(), call.name(), args.toString(), call.finished()));
        });
        return attempt.withOutput(text.toString(), reasoning.toString(), calls);
    }

    /** Drops the attempt's deltas (its answer was built, or a new attempt superseded it). */
    void discard(String requestId, String attemptId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = deltas.prefixScan(prefix(requestId, attemptId), KEYS)) {
            all.forEachRemaining((KeyValue<String, byte[]> kv) -> keys.add(kv.key));
        }
        keys.forEach(deltas::delete);
    }

    private static String prefix(String requestId, String attemptId) {
        return requestId + SEPARATOR + attemptId + SEPARATOR;
    }

    /** Fixed-width hex, so that keys sort in seq order. */
    private static String seqKey(long seq) {
        String hex = Long.toHexString(seq);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
