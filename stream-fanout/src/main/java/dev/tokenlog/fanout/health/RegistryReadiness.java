package dev.tokenlog.fanout.health;

import dev.tokenlog.config.RegistryProbe;
import dev.tokenlog.fanout.FanoutKafka;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the schema registry answers; Kafka and Kafka Streams have their own checks. */
@Readiness
@ApplicationScoped
public class RegistryReadiness implements HealthCheck {
    private final FanoutKafka kafka;

    public RegistryReadiness(FanoutKafka kafka) {
        this.kafka = kafka;
    }

    @Override
    public HealthCheckResponse call() {
        var problem = RegistryProbe.problem(kafka.clients().serdeConfig());
        return HealthCheckResponse.named("schema-registry")
                .status(problem.isEmpty())
                .withData("detail", problem.orElse("UP"))
                .build();
    }
}
