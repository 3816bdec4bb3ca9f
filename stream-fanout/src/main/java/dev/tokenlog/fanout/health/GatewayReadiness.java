package dev.tokenlog.fanout.health;

import dev.tokenlog.config.RegistryProbe;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.sse.LiveTail;
import dev.tokenlog.fanout.streams.RequestIndex;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the schema registry answers, the fold's stores can be queried (so stream
 * status and replay positions are available) and the SSE live tail has its positions. Kafka itself has the Kafka extension's own check.
 */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    private final FanoutKafka kafka;
    private final RequestIndex index;
    private final LiveTail tail;

    public GatewayReadiness(FanoutKafka kafka, RequestIndex index, LiveTail tail) {
        this.kafka = kafka;
        this.index = index;
        this.tail = tail;
    }

    @Override
    public HealthCheckResponse call() {
        var registry = RegistryProbe.problem(kafka.clients().serdeConfig());
        boolean fold = index.queryable();
        boolean tailReady = tail.ready();
        return HealthCheckResponse.named("tokenlog-gateway")
                .status(registry.isEmpty() && fold && tailReady)
                .withData("liveTail", tailReady ? "UP" : "starting")
                .withData("schemaRegistry", registry.orElse("UP"))
                .withData("streamIndex", fold ? "UP" : "not queryable yet (Kafka Streams starting or rebalancing)")
                .build();
    }
}
