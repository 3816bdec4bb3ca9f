package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.Started;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Applies each chunk of {@code llm.chunks} to its request's state and writes the FinalAnswer at the
 * terminal; a wall-clock punctuator answers requests that went quiet as ABANDONED.
 */
final class ChunkFoldProcessor implements Processor<String, ChunkRecord, String, Object> {
    private static final Logger LOG = Logger.getLogger(ChunkFoldProcessor.class);
    private final FoldSettings settings;
    private final FoldMetrics metrics;
    private ChunkFolder folder;
    private OutputLog output;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, FoldState> states;
    private AnsweredRequests answered;
    private Instant initializedAt;

    ChunkFoldProcessor(FoldSettings settings, FoldMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(AnswerFold.STATE_STORE);
        this.output = new OutputLog(context.getStateStore(AnswerFold.DELTAS_STORE));
        this.folder = new ChunkFolder(metrics, output, settings.maxAnswerBytes());
        this.answered = AnsweredRequests.from(context);
        this.initializedAt = now();
        context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, at -> abandonIdle());
    }

    @Override
    public void process(Record<String, ChunkRecord> record) {
        ChunkRecord chunk = record.value();
        if (chunk == null) {
            return;
        }
        String id = record.key() != null ? record.key() : chunk.getRequestId();
        FoldState state = states.get(id);
        if (state == null && chunk.getEvent() instanceof Started && answered.contains(id)) {
            metrics.onLate();
            return;
        }
        switch (folder.fold(state, chunk, ChunkPosition.of(context.recordMetadata()), now())) {
            case FoldStep.Keep keep -> {
                states.put(id, keep.state());
                if (StreamIndex.changed(state, keep.state())) {
                    context.forward(record.withValue(StreamIndex.entry(keep.state(), now())));
                }
            }
            case FoldStep.Emit emit -> {
                states.delete(id);
                context.forward(record.withValue(fitting(emit.answer())));
                context.forward(record.withValue(null)); // off the stream index: llm.answers has it now
            }
            case FoldStep.Skip skip -> { }
        }
    }

    private void abandonIdle() {
        Instant now = now();
        Instant cutoff = now.minus(settings.abandonAfter());
        if (initializedAt.isAfter(cutoff)) {
            // Just (re)started: restored state may be older than chunks still waiting in the partition.
            return;
        }
        List<KeyValue<String, FoldState>> idle = new ArrayList<>();
        try (KeyValueIterator<String, FoldState> all = states.all()) {
            all.forEachRemaining(kv -> {
                if (kv.value.lastActivityAt().isBefore(cutoff)) {
                    idle.add(kv);
                }
            });
        }
        for (KeyValue<String, FoldState> kv : idle) {
            states.delete(kv.key);
            FoldState state = kv.value;
            if (state.attempt() != null && state.attempt().spilled()) {
                state = state.withAttempt(output.drain(kv.key, state.attempt()), state.lastActivityAt());
            }
            if (!answered.contains(kv.key)) {
                metrics.onAnswer();
                metrics.onAbandoned();
                FinalAnswer answer = FinalAnswers.abandoned(state, now, settings.abandonAfter());
                context.forward(new Record<>(kv.key, fitting(answer), now.toEpochMilli()));
            }
            context.forward(new Record<>(kv.key, null, now.toEpochMilli())); // off the stream index
        }
    }

    /**
     * The answer, or a FAILED one saying why when it would not fit {@code llm.answers} (output is capped
     * by the fold, but tool call ids and names are not): checked here because a record the producer
     * refuses aborts the exactly-once transaction and fails the task (see {@link AnswerSize}).
     */
    private FinalAnswer fitting(FinalAnswer answer) {
        if (answer.getTruncated()) {
            metrics.onTruncated();
        }
        long size = AnswerSize.of(answer);
        if (size <= AnswerSize.LIMIT) {
            return answer;
        }
        metrics.onTooLarge();
        LOG.warnf("request %s: its answer would take about %d bytes, more than llm.answers takes (%d); "
                + "written as FAILED ANSWER_TOO_LARGE", answer.getRequestId(), size, AnswerSize.LIMIT);
        return FinalAnswers.tooLarge(answer, size, AnswerSize.LIMIT);
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}
