package dev.tokenlog.fanout.health;

import dev.tokenlog.config.RegistryProbe;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.streams.RequestIndex;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the schema registry answers and the fold's stores can be queried (so stream
 * status and replay positions are available). Kafka itself has the Kafka extension's own check.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    private final FanoutKafka kafka;
    private final RequestIndex index;

    public GatewayReadiness(FanoutKafka kafka, RequestIndex index) {
        this.kafka = kafka;
        this.index = index;
    }

    @Override
    public HealthCheckResponse call() {
        var registry = RegistryProbe.problem(kafka.clients().serdeConfig());
        boolean fold = index.queryable();
        return HealthCheckResponse.named("tokenlog-gateway")
                .status(registry.isEmpty() && fold)
                .withData("schemaRegistry", registry.orElse("UP"))
                .withData("streamIndex", fold ? "UP" : "not queryable yet (Kafka Streams starting or rebalancing)")
                .build();
    }
}
