package dev.tokenlog.worker.consume;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.registry.SchemaRegistryException;
import dev.tokenlog.schemas.limits.RequestLimits;
import dev.tokenlog.worker.WorkerKafka;
import dev.tokenlog.worker.config.TopicsConfig;
import dev.tokenlog.worker.config.WorkerConfig;
import dev.tokenlog.worker.stream.RunningStreams;
import dev.tokenlog.worker.stream.StreamRunner;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.jboss.logging.Logger;

/**
 * Takes requests from {@code llm.requests} and runs each on its own virtual thread. One platform
 * thread owns the consumer: it polls, hands requests out, collects their outcomes, pauses the
 * partitions at the in-flight limit and commits only offsets below the lowest unfinished request.
 */
@ApplicationScoped
public class RequestConsumer {
    private static final Logger LOG = Logger.getLogger(RequestConsumer.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private record Outcome(TopicPartition tp, long offset, StreamRunner.Outcome result) {}

    private final WorkerKafka kafka;
    private final TopicsConfig topics;
    private final WorkerConfig config;
    private final StreamRunner runner;
    private final RunningStreams running;
    private final DeadLetters deadLetters;
    private final RequestLimits limits;
    private final Deserializer<LlmRequest> deserializer;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final OffsetTracker tracker = new OffsetTracker();
    private final RegistryWait registryWait = new RegistryWait("request consumer");
    private final ExecutorService streams = Executors.newVirtualThreadPerTaskExecutor();
    /** Per assigned partition: the end offset at assignment; records below it may be redeliveries. */
    private final java.util.Map<TopicPartition, Long> backlogEnd = new java.util.HashMap<>();
    private TerminalIndex terminals;
    private volatile boolean accepting = true;
    private volatile boolean assigned;
    private Thread loop;

    public RequestConsumer(WorkerKafka kafka, TopicsConfig topics, WorkerConfig config, StreamRunner runner,
                           RunningStreams running, DeadLetters deadLetters, RequestLimits limits) {
        this.kafka = kafka;
        this.topics = topics;
        this.config = config;
        this.runner = runner;
        this.running = running;
        this.deadLetters = deadLetters;
        this.limits = limits;
        this.deserializer = kafka.deserializer(LlmRequest.class);
    }

    void start(@Observes StartupEvent event) {
        loop = Thread.ofPlatform().name("tokenlog-request-consumer").start(this::pollLoop);
    }

    /** Graceful shutdown: stop taking requests, let running streams finish up to the drain timeout. */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        accepting = false;
        loop.join(config.drainTimeout().plusSeconds(10).toMillis());
        streams.shutdownNow();
    }

    /** Whether the consumer has joined its group and received partitions (for readiness). */
    public boolean assigned() {
        return assigned;
    }

    private void pollLoop() {
        long session = config.sessionTimeout().toMillis();
        try (Consumer<String, byte[]> consumer = kafka.consumer(config.groupId(), "tokenlog-worker-requests", java.util.Map.of(
                "session.timeout.ms", (int) session,
                "heartbeat.interval.ms", (int) Math.max(500, session / 3),
                "partition.assignment.strategy", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"))) {
            consumer.subscribe(List.of(topics.requests()), new Rebalance(consumer));
            long nextCommit = 0;
            while (accepting) {
                Set<TopicPartition> waiting = new HashSet<>();
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (!waiting.contains(tp) && !take(tp, record)) {
                        consumer.seek(tp, record.offset()); // read it again once the registry answers
                        waiting.add(tp);
                    }
                }
                registryWait.after(!waiting.isEmpty());
                collectOutcomes();
                flowControl(consumer);
                if (System.nanoTime() >= nextCommit) {
                    commit(consumer);
                    nextCommit = System.nanoTime() + config.commitInterval().toNanos();
                }
            }
            drain(consumer);
        } catch (RuntimeException e) {
            LOG.error("request consumer stopped unexpectedly", e);
        }
    }

    /**
     * Starts a request, or dead-letters it when it cannot be decoded or is invalid. Returns false, having
     * done nothing, when the schema registry failed transiently: the record is fine and must be read
     * again, not dead-lettered.
     */
    private boolean take(TopicPartition tp, ConsumerRecord<String, byte[]> record) {
        Optional<String> problem;
        LlmRequest request = null;
        try {
            request = deserializer.deserialize(record.topic(), record.headers(), record.value());
            problem = request == null
                    ? Optional.of("record has no value")
                    : RequestValidation.problem(record.key(), request, limits);
        } catch (RuntimeException e) {
            if (SchemaRegistryException.isTransient(e)) {
                registryWait.failed(tp, record.offset(), e);
                return false;
            }
            problem = Optional.of("cannot decode LlmRequest: " + e.getMessage());
        }
        if (problem.isPresent()) {
            tracker.started(tp, record.offset());
            deadLetter(record, problem.get(), tp);
            return true;
        }
        boolean ended;
        try {
            ended = alreadyEnded(tp, record, request);
        } catch (RuntimeException e) {
            if (!SchemaRegistryException.isTransient(e)) {
                throw e;
            }
            registryWait.failed(tp, record.offset(), e);
            return false;
        }
        tracker.started(tp, record.offset());
        if (ended) {
            tracker.finished(tp, record.offset());
            return true;
        }
        LlmRequest accepted = request;
        streams.execute(() -> {
            // run() ends every attempt itself; should even that fail, the outcome still reaches the consumer
            // thread (a task's Throwable would otherwise vanish in its Future, the offset held forever).
            StreamRunner.Outcome result = StreamRunner.Outcome.ABORTED;
            try {
                result = runner.run(accepted);
            } finally {
                outcomes.add(new Outcome(tp, record.offset(), result));
            }
        });
        return true;
    }

    /**
     * A request read from the backlog of a newly assigned partition may have run to its terminal on a
     * worker that died before committing; it must not run again.
     */
    private boolean alreadyEnded(TopicPartition tp, ConsumerRecord<String, byte[]> record, LlmRequest request) {
        Long end = backlogEnd.get(tp);
        if (end == null) {
            return false;
        }
        if (terminals == null) {
            terminals = new TerminalIndex(kafka.consumer(null, "tokenlog-worker-terminals"),
                    kafka.deserializer(ChunkRecord.class), topics.chunks(), config.clockSkew());
        }
        boolean ended = terminals.hasTerminal(request.getRequestId(), request.getCreatedAt().toEpochMilli());
        if (record.offset() >= end - 1) {
            backlogEnd.remove(tp);
        }
        if (ended) {
            LOG.infof("request %s already has a terminal in %s: not executed again", request.getRequestId(), topics.chunks());
        }
        if (backlogEnd.isEmpty()) {
            terminals.close(); // the backlog is done: the index is not needed until the next assignment
            terminals = null;
        }
        return ended;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason, TopicPartition tp) {
        try {
            deadLetters.send(record, reason);
            tracker.finished(tp, record.offset());
        } catch (Exception e) {
            // Not committed: the record is read again after a restart rather than lost.
            LOG.errorf(e, "could not dead-letter %s@%d; it stays uncommitted", tp, record.offset());
        }
    }

    private void collectOutcomes() {
        for (Outcome o; (o = outcomes.poll()) != null; ) {
            if (o.result() == StreamRunner.Outcome.TERMINATED) {
                tracker.finished(o.tp(), o.offset());
            }
        }
    }

    /** Bounded memory: at the in-flight limit stop fetching instead of buffering requests. */
    private void flowControl(Consumer<String, byte[]> consumer) {
        int inFlight = tracker.inFlight();
        if (inFlight >= config.maxInFlight() && consumer.paused().isEmpty()) {
            LOG.infof("in-flight limit %d reached: pausing request partitions", config.maxInFlight());
            consumer.pause(consumer.assignment());
        } else if (inFlight < config.maxInFlight() && !consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    private void commit(Consumer<String, byte[]> consumer) {
        var offsets = tracker.takeCommittable();
        offsets.keySet().retainAll(consumer.assignment());
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    LOG.warnf("offset commit failed (it is retried with the next commit): %s", e.getMessage());
                }
            });
        }
    }

    private void drain(Consumer<String, byte[]> consumer) {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        LOG.infof("draining %d in-flight streams (up to %s)", tracker.inFlight(), config.drainTimeout());
        while (tracker.inFlight() > 0 && System.nanoTime() < deadline) {
            consumer.poll(POLL);
            collectOutcomes();
        }
        if (tracker.inFlight() > 0) {
            LOG.warnf("%d streams still running after the drain timeout: stopping them; they will be redelivered",
                    tracker.inFlight());
            running.stopAll();
        }
        collectOutcomes();
        var offsets = tracker.takeCommittable();
        offsets.keySet().retainAll(consumer.assignment());
        consumer.commitSync(offsets);
    }

    /** Commits what is safe for partitions that move to another worker. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final Consumer<String, byte[]> consumer;

        Rebalance(Consumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            collectOutcomes();
            var offsets = tracker.takeCommittable();
            offsets.keySet().retainAll(partitions);
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets);
            }
            partitions.forEach(tracker::forget);
            partitions.forEach(backlogEnd::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
            consumer.endOffsets(partitions).forEach((tp, end) -> {
                if (end > 0) {
                    backlogEnd.put(tp, end);
                }
            });
            LOG.infof("request partitions assigned: %s", partitions);
        }
    }
}
