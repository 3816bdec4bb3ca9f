package dev.tokenlog.worker.health;

import dev.tokenlog.config.RegistryProbe;
import dev.tokenlog.worker.WorkerKafka;
import dev.tokenlog.worker.consume.RequestConsumer;
import dev.tokenlog.worker.stream.RunningStreams;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the schema registry answers and the request consumer holds partitions. Kafka itself is
 * checked by the Kafka client extension's own readiness check.
 */
@Readiness
@ApplicationScoped
public class WorkerReadiness implements HealthCheck {
    private final Map<String, Object> registry;
    private final RequestConsumer consumer;
    private final RunningStreams running;

    public WorkerReadiness(WorkerKafka kafka, RequestConsumer consumer, RunningStreams running) {
        this.registry = kafka.serdeConfig();
        this.consumer = consumer;
        this.running = running;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> registryProblem = RegistryProbe.problem(registry);
        boolean up = registryProblem.isEmpty() && consumer.assigned();
        return HealthCheckResponse.named("tokenlog-worker")
                .status(up)
                .withData("schemaRegistry", registryProblem.orElse("UP"))
                .withData("requestPartitionsAssigned", consumer.assigned())
                .withData("inFlightStreams", running.size())
                .build();
    }
}
