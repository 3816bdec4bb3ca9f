package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.config.GatewayConfig;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.streams.RequestIndex;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.Deserializer;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/streams/{id}/events}: the stream as server-sent events, from its first chunk, after
 * an event id ({@code Last-Event-ID} header or {@code ?after=}), or from the live tail
 * ({@code ?from=live}). Each subscriber is served by one virtual thread that reads the partition and
 * writes one event at a time, waiting for each write: a subscriber that stops reading is closed after
 * the write timeout instead of being buffered without bound. Closing the connection never cancels
 * generation.
 */
@ApplicationScoped
public class EventsRoute {
    private static final Logger LOG = Logger.getLogger(EventsRoute.class);

    private final FanoutKafka kafka;
    private final TopicsConfig topics;
    private final GatewayConfig config;
    private final RequestIndex index;
    private final Deserializer<ChunkRecord> deserializer;

    public EventsRoute(FanoutKafka kafka, TopicsConfig topics, GatewayConfig config, RequestIndex index) {
        this.kafka = kafka;
        this.topics = topics;
        this.config = config;
        this.index = index;
        this.deserializer = kafka.clients().deserializer(ChunkRecord.class);
    }

    void register(@Observes Router router) {
        router.get("/v1/streams/:id/events").handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        AtomicBoolean closed = new AtomicBoolean();
        ctx.response().closeHandler(v -> closed.set(true));
        Thread.ofVirtual().name("sse-" + ctx.pathParam("id")).start(() -> serve(ctx, closed));
    }

    private void serve(RoutingContext ctx, AtomicBoolean closed) {
        String id = ctx.pathParam("id");
        HttpServerResponse response = ctx.response();
        try (ChunkReader reader = new ChunkReader(kafka.clients().consumer(null, "tokenlog-sse"), deserializer,
                topics.chunks(), id)) {
            EventId after = afterId(ctx);
            RequestIndex.Lookup lookup = index.lookup(id);
            FinalAnswer expired = reader.start(lookup, after, "live".equals(ctx.queryParams().get("from")),
                    config.clockSkew());
            SseWriter out = new SseWriter(response, closed, config.writeTimeout());
            out.open(config.retry());
            if (expired != null) {
                out.replayFromAnswer(expired);
            } else {
                pump(reader, out, new ChunkEvents(after != null));
            }
            out.end();
        } catch (ApiException e) {
            if (!response.headWritten()) {
                response.setStatusCode(e.status()).putHeader("content-type", "application/json")
                        .end(ChunkEvents.json(Map.of("error", Map.of("code", e.code(), "message", e.getMessage()))));
            }
        } catch (SseWriter.SubscriberGone e) {
            LOG.debugf("subscriber of %s left: %s", id, e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "serving events of %s failed", id);
            if (!response.headWritten()) {
                response.setStatusCode(500).end();
            } else {
                response.reset();
            }
        }
    }

    /** Reads and writes until the attempt's terminal event has been sent. */
    private void pump(ChunkReader reader, SseWriter out, ChunkEvents events) {
        long idleSince = System.nanoTime();
        boolean[] ended = {false};
        while (!ended[0]) {
            var chunks = reader.poll(java.time.Duration.ofMillis(200));
            for (ChunkReader.Positioned p : chunks) {
                events.map(p.position(), p.chunk(), frame -> {
                    if (!ended[0]) {
                        out.send(frame);
                        ended[0] = frame.terminal();
                    }
                });
                if (ended[0]) {
                    return;
                }
            }
            if (!chunks.isEmpty()) {
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince >= config.heartbeat().toNanos()) {
                out.comment("heartbeat");
                idleSince = System.nanoTime();
            }
            out.checkOpen();
        }
    }

    private static EventId afterId(RoutingContext ctx) {
        String text = ctx.request().getHeader("Last-Event-ID");
        if (text == null) {
            text = ctx.queryParams().get("after");
        }
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return EventId.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
