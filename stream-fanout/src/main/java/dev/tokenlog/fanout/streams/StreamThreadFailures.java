package dev.tokenlog.fanout.streams;

import dev.tokenlog.registry.SchemaRegistryException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * What happens when a Kafka Streams thread of the fold fails. A transient schema-registry failure
 * that outlasts {@link RegistryPatience} (see {@link RegistryAwareDecodeHandler}) replaces the thread after a pause: with exactly-once, the
 * new thread resumes from the last commit, so nothing is lost or folded twice. Anything else is a bug
 * or a broken environment: the client shuts down (Kafka's default), readiness turns DOWN and the
 * error is logged with its cause.
 */
@ApplicationScoped
public class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StreamThreadFailures.class);
    static final Duration REGISTRY_PAUSE = Duration.ofSeconds(1);
    private final AtomicInteger replaced = new AtomicInteger();

    /** Stream threads replaced because of a registry outage, since start. */
    public int replacedForRegistry() {
        return replaced.get();
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        if (SchemaRegistryException.isTransient(exception)) {
            LOG.warnf("fold thread stopped: the schema registry is unavailable; retrying in %s", REGISTRY_PAUSE);
            try {
                Thread.sleep(REGISTRY_PAUSE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            replaced.incrementAndGet();
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        LOG.error("fold thread failed; stopping Kafka Streams (the gateway turns not ready)", exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}
