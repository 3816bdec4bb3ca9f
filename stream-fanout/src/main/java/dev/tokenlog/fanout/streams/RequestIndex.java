package dev.tokenlog.fanout.streams;

import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.StreamIndexEntry;
import dev.tokenlog.fanout.JsonFields;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.config.GatewayConfig;
import dev.tokenlog.fanout.fold.AnswerFold;
import dev.tokenlog.schemas.RequestIds;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Where a stream stands, from the fold's two global stores, which every gateway instance holds in
 * full: {@code answers-store} (every final answer) and {@code stream-index-store} (requests accepted
 * or running, with the offset of their first chunk). So any instance answers for any stream, with no
 * scan and no call to the instance that folds it. A request found in neither but whose UUIDv7 id is
 * younger than the pending grace is reported PENDING: the fold may simply not have seen it yet. An id
 * whose time lies after now plus the clock skew names no stream, at once.
 */
@ApplicationScoped
public class RequestIndex {
    /** A request's answer and its index tombstone reach the global stores separately; wait this long for the answer. */
    private static final long HANDOVER_WAIT_MS = 250;

    private final KafkaStreams streams;
    private final GatewayConfig config;
    private volatile boolean startedOnce;

    public RequestIndex(KafkaStreams streams, GatewayConfig config) {
        this.streams = streams;
        this.config = config;
    }

    /** What is known of a stream; exactly one of answer / entry is set unless status is PENDING. */
    public record Lookup(String id, String status, FinalAnswer answer, StreamIndexEntry entry) {
        public Map<String, Object> toJson() {
            return answer != null ? AnswerJson.of(answer) : Map.of("id", id, "status", status);
        }

        /** The tenant that created the stream; null when unknown (auth off, or PENDING). */
        public String owner() {
            return answer != null ? answer.getOwner() : entry != null ? entry.getOwner() : null;
        }

        /** Offset of the stream's first chunk in {@code llm.chunks}, when known. */
        public Long firstChunkOffset() {
            return answer != null ? answer.getFirstChunkOffset() : entry != null ? entry.getFirstChunkOffset() : null;
        }
    }

    /** Looks a stream up; 404 for ids that name no stream, 503 while the stores are not queryable. */
    public Lookup lookup(String id) {
        // An id from the future (beyond the tolerated clock skew) was made up: no request will ever have
        // it, so it is not left PENDING (a subscriber would wait on it forever).
        if (!RequestIds.isValid(id) || RequestIds.timestampOf(id).isAfter(Instant.now().plus(config.clockSkew()))) {
            throw ApiException.notFound("no stream with id '" + id + "'");
        }
        Lookup found = find(id);
        if (found != null) {
            return found;
        }
        if (RequestIds.timestampOf(id).isAfter(Instant.now().minus(config.pendingGrace()))) {
            return new Lookup(id, "PENDING", null, null);
        }
        try {
            Thread.sleep(HANDOVER_WAIT_MS); // the request may be between its index tombstone and its answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        found = find(id);
        if (found != null) {
            return found;
        }
        throw ApiException.notFound("no stream with id '" + id + "'");
    }

    /**
     * What the stores know of a stream now, or null: no validation, no PENDING, no 404 (for
     * {@link SettledStatus}, which re-reads a stream {@link #lookup} already found).
     */
    public Lookup known(String id) {
        return find(id);
    }

    private Lookup find(String id) {
        try {
            FinalAnswer answer = this.<FinalAnswer>store(AnswerFold.ANSWERS_STORE).get(id);
            if (answer != null) {
                return new Lookup(id, answer.getStatus().name(), answer, null);
            }
            StreamIndexEntry entry = this.<StreamIndexEntry>store(AnswerFold.INDEX_STORE).get(id);
            if (entry != null) {
                return new Lookup(id, entry.getStatus(), null, entry);
            }
            return null;
        } catch (InvalidStateStoreException e) {
            throw new ApiException(503, "starting", "the gateway's stream index is not ready yet; retry shortly");
        }
    }

    /**
     * Whether request {@code id} has its final answer, from the global answers store alone (no pending
     * logic, no wait); false while the store is not queryable.
     */
    public boolean answered(String id) {
        try {
            return this.<FinalAnswer>store(AnswerFold.ANSWERS_STORE).get(id) != null;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }

    /**
     * Stale stores are allowed: during a rebalance the last known state (or a restoring copy) is a
     * better answer than an error, and a status read is a snapshot anyway.
     */
    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .enableStaleStores());
    }

    /**
     * Whether the fold runs and its global stores answer queries (for readiness). The first
     * assignment must have completed (state RUNNING once), so the global stores are restored; later
     * rebalances keep the instance ready.
     */
    public boolean queryable() {
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.RUNNING) {
            startedOnce = true;
        }
        if (!startedOnce || (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING)) {
            return false;
        }
        try {
            store(AnswerFold.ANSWERS_STORE).approximateNumEntries();
            return true;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }

    /** The final answer as the JSON that {@code GET /v1/streams/{id}} returns, fields in a fixed order. */
    static final class AnswerJson {
        private AnswerJson() {}

        static Map<String, Object> of(FinalAnswer a) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", a.getRequestId());
            json.put("status", a.getStatus().name());
            json.put("text", a.getText());
            json.put("reasoning", a.getReasoning());
            json.put("tool_calls", a.getToolCalls().stream().map(t -> JsonFields.ordered(
                    "index", t.getIndex(), "id", t.getId(), "name", t.getName(),
                    "arguments", t.getArguments(), "arguments_valid", t.getArgumentsValid())).toList());
            json.put("finish_reason", a.getFinishReason() == null ? null : a.getFinishReason().name().toLowerCase());
            json.put("raw_finish_reason", a.getRawFinishReason());
            json.put("usage", a.getUsage() == null ? null : JsonFields.ordered("input", a.getUsage().getInput(),
                    "output", a.getUsage().getOutput(), "cached", a.getUsage().getCached(),
                    "reasoning", a.getUsage().getReasoning()));
            json.put("provider", a.getProvider());
            json.put("model", a.getModel());
            json.put("attempts", a.getAttempts());
            json.put("chunks", a.getChunkCount());
            json.put("gaps", a.getGaps());
            json.put("truncated", a.getTruncated());
            json.put("error", a.getError() == null ? null
                    : JsonFields.ordered("code", a.getError().getCode(), "message", a.getError().getMessage()));
            json.put("created_at", a.getCreatedAt());
            json.put("first_token_at", a.getFirstTokenAt());
            json.put("completed_at", a.getCompletedAt());
            return json;
        }
    }
}
