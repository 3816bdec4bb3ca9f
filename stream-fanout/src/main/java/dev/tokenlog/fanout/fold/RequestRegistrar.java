package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.StreamIndexEntry;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Registers each request from {@code llm.requests} as ACCEPTED, so it is answered even if no worker
 * ever starts it, and publishes it to the stream index.
 */
final class RequestRegistrar implements Processor<String, LlmRequest, String, StreamIndexEntry> {
    private ProcessorContext<String, StreamIndexEntry> context;
    private KeyValueStore<String, FoldState> states;
    private AnsweredRequests answered;

    @Override
    public void init(ProcessorContext<String, StreamIndexEntry> context) {
        this.context = context;
        this.states = context.getStateStore(AnswerFold.STATE_STORE);
        this.answered = AnsweredRequests.from(context);
    }

    @Override
    public void process(Record<String, LlmRequest> record) {
        LlmRequest request = record.value();
        if (request == null) {
            return;
        }
        String id = record.key() != null ? record.key() : request.getRequestId();
        FoldState state = states.get(id);
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        FoldState next;
        if (state != null) {
            // Its Started was read first (the two topics are merged by timestamp): keep what the chunks told.
            next = state.registered(request.getCreatedAt(), request.getOwner());
        } else if (!answered.contains(id)) {
            // Activity starts at createdAt, or later when the fold reads the request late (lag, restart).
            Instant since = request.getCreatedAt().isAfter(now) ? request.getCreatedAt() : now;
            next = FoldState.accepted(id, request.getCreatedAt(), request.getOwner(), since);
        } else {
            return;
        }
        states.put(id, next);
        if (StreamIndex.changed(state, next)) {
            context.forward(new Record<>(id, StreamIndex.entry(next, now), record.timestamp()));
        }
    }
}
