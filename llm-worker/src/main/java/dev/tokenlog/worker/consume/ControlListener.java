package dev.tokenlog.worker.consume;

import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.registry.SchemaRegistryException;
import dev.tokenlog.worker.WorkerKafka;
import dev.tokenlog.worker.config.TopicsConfig;
import dev.tokenlog.worker.stream.RunningStreams;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.jboss.logging.Logger;

/**
 * Reads every partition of {@code llm.control} from the tail (no consumer group: each worker must
 * see every command) and stops the streams it runs when told to cancel them.
 */
@ApplicationScoped
public class ControlListener {
    private static final Logger LOG = Logger.getLogger(ControlListener.class);

    private final WorkerKafka kafka;
    private final String topic;
    private final RunningStreams running;
    private final Deserializer<ControlCommand> deserializer;
    private final RegistryWait registryWait = new RegistryWait("control listener");
    private volatile boolean active = true;
    private Thread loop;

    public ControlListener(WorkerKafka kafka, TopicsConfig topics, RunningStreams running) {
        this.kafka = kafka;
        this.topic = topics.control();
        this.running = running;
        this.deserializer = kafka.deserializer(ControlCommand.class);
    }

    void start(@Observes StartupEvent event) {
        loop = Thread.ofPlatform().name("tokenlog-control-listener").start(this::pollLoop);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        active = false;
        loop.join(5_000);
    }

    private void pollLoop() {
        try (Consumer<String, byte[]> consumer = kafka.consumer(null, "tokenlog-worker-control")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (active) {
                Set<TopicPartition> waiting = new HashSet<>();
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (!waiting.contains(tp) && !handle(tp, record)) {
                        consumer.seek(tp, record.offset());
                        waiting.add(tp);
                    }
                }
                registryWait.after(!waiting.isEmpty());
            }
        } catch (RuntimeException e) {
            LOG.error("control listener stopped unexpectedly; cancel commands are not obeyed", e);
        }
    }

    /** Obeys one command; false when the schema registry failed transiently and the record must be read again. */
    private boolean handle(TopicPartition tp, ConsumerRecord<String, byte[]> record) {
        ControlCommand command;
        try {
            command = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            if (SchemaRegistryException.isTransient(e)) {
                registryWait.failed(tp, record.offset(), e);
                return false;
            }
            LOG.warnf("skipping undecodable control record %s-%d@%d: %s",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return true;
        }
        if (command != null && command.getType() == ControlType.CANCEL) {
            String reason = command.getReason() == null ? "cancelled" : command.getReason();
            if (running.cancel(command.getRequestId(), reason)) {
                LOG.infof("request %s cancelled: %s", command.getRequestId(), reason);
            }
        }
        return true;
    }
}
