package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.api.Access;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.api.StreamTokens;
import dev.tokenlog.fanout.config.GatewayConfig;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.quota.Quota;
import dev.tokenlog.fanout.quota.QuotaExceeded;
import dev.tokenlog.fanout.quota.Quotas;
import dev.tokenlog.fanout.quota.Slot;
import dev.tokenlog.fanout.streams.RequestIndex;
import dev.tokenlog.schemas.RequestIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/streams/{id}/events}: the stream as server-sent events, from its first chunk, after
 * an event id ({@code Last-Event-ID} header or {@code ?after=}), or from the live tail
 * ({@code ?from=live}). Each subscriber starts on a virtual thread: it registers with the instance's
 * shared {@link LiveTail}, gets the history before the tail's hand-over offset (if there is any) from
 * the tail's recent window or else with a pooled consumer, and writes it, each write waited for. Then
 * a {@link LiveWriter} on the connection's event loop writes what the tail queues for it, without
 * waiting, and the thread only wakes when the stream is idle for a heartbeat. What is pending for a
 * subscriber is bounded: one that falls behind is closed with a comment, one that stops reading is cut
 * off after the write timeout; it resumes by event id. Closing the connection never cancels generation.
 * {@code ?format=openai} serves OpenAI's chunk format instead of the native events ({@link EventFormat}).
 */
@ApplicationScoped
public class EventsRoute {
    private static final Logger LOG = Logger.getLogger(EventsRoute.class);
    private final TopicsConfig topics;
    private final GatewayConfig config;
    private final RequestIndex index;
    private final LiveTail tail;
    private final Access access;
    private final HistoryConsumers historyConsumers;
    private final Quotas quotas;
    private final Deserializer<ChunkRecord> deserializer;
    private final Counter historyFromWindow;
    private final Counter historyFromLog;
    private final HopTimers hops;

    public EventsRoute(FanoutKafka kafka, TopicsConfig topics, GatewayConfig config, RequestIndex index, LiveTail tail,
                       Access access, HistoryConsumers historyConsumers, Quotas quotas, MeterRegistry registry,
                       HopTimers hops) {
        this.hops = hops;
        this.topics = topics;
        this.config = config;
        this.index = index;
        this.tail = tail;
        this.access = access;
        this.historyConsumers = historyConsumers;
        this.quotas = quotas;
        this.deserializer = kafka.clients().deserializer(ChunkRecord.class);
        this.historyFromWindow = historyReads(registry, "recent-window");
        this.historyFromLog = historyReads(registry, "log");
    }

    private static Counter historyReads(MeterRegistry registry, String source) {
        return Counter.builder("tokenlog.gateway.sse.history.reads").tag("source", source)
                .description("Subscribers that needed chunks from before the live tail's hand-over offset, by where "
                        + "they came from: the tail's recent window (memory) or the log (a pooled consumer)")
                .register(registry);
    }

    void register(@Observes Router router) {
        router.get("/v1/streams/:id/events").handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        ctx.response().closeHandler(v -> {
            closed.set(true);
            Subscription s = subscription.get();
            if (s != null) {
                s.close();
            }
        });
        Context context = ctx.vertx().getOrCreateContext();
        Thread.ofVirtual().name("sse-" + ctx.pathParam("id")).start(() -> serve(ctx, context, closed, subscription));
    }

    private void serve(RoutingContext ctx, Context context, AtomicBoolean closed,
                       AtomicReference<Subscription> subscription) {
        String id = ctx.pathParam("id");
        HttpServerResponse response = ctx.response();
        Subscription live = null;
        Slot held = null;
        EventFormat format = EventFormat.NATIVE;
        try {
            format = EventFormat.of(ctx.queryParams().get("format"));
            EventId after = afterId(ctx);
            RequestIndex.Lookup lookup = access.lookup(id, StreamTokens.Scope.READ, name -> ctx.request().getHeader(name),
                    ctx.queryParams().get("token"));
            int partition = tail.partitionOf(id);
            if (after != null && after.partition() != partition) {
                throw ApiException.badRequest("event id " + after + " does not belong to stream " + id);
            }
            String tenant = quotas.subscriber(name -> ctx.request().getHeader(name), lookup.owner(),
                    ctx.request().remoteAddress());
            held = quotas.acquire(Quota.SUBSCRIPTIONS, tenant);
            live = tail.subscribe(id, config.subscriberBuffer());
            subscription.set(live);
            if (closed.get()) {
                live.close();
            }
            Start start = start(lookup, after, "live".equals(ctx.queryParams().get("from")), partition, live);
            StreamEvents events = format.events(id, lookup.answer(), after != null, ctx.queryParams()::get);
            boolean ended = lookup.answer() != null;
            long until = ended ? Math.max(live.from(), tail.end(partition)) : live.from();
            // Got before the response starts, so that a busy gateway can still answer 503.
            try (History history = start.expired() != null ? History.NONE
                    : history(id, tenant, partition, start.from(), until, lookup.answer())) {
                SseWriter out = new SseWriter(response, closed, config.writeTimeout(),
                        () -> ctx.request().connection().close());
                response.putHeader("X-Stream-Id", id);
                out.open(config.retry());
                if (start.expired() != null) {
                    events.replay(start.expired(), out::send);
                    out.end();
                } else {
                    stream(id, tenant, partition, start.from(), ended, history, live, events, out,
                            idleCheck(id, lookup, format), (next, from) -> LiveWriter.start(ctx.vertx(), context,
                                    response, subscription.get(), events, next, from, config.writeTimeout(),
                                    () -> ctx.request().connection().close(), hops));
                }
            }
        } catch (ApiException e) {
            if (!response.headWritten()) {
                if (held != null) {
                    held.close(); // before the answer: a client that has it finds its subscription given back
                    held = null;
                }
                if (e instanceof QuotaExceeded q) {
                    response.putHeader("Retry-After", q.retryAfter());
                } else if (e.status() == 503) {
                    response.putHeader("Retry-After", Long.toString(Math.max(1, config.retry().toSeconds())));
                }
                response.setStatusCode(e.status()).putHeader("content-type", "application/json").end(format.errorJson(e));
            } else if (!response.ended()) {
                response.end(); // e.g. no history consumer for the rest of an ended stream: the client resumes by id
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debugf("serving events of %s interrupted", id);
        } catch (SseWriter.SubscriberGone e) {
            LOG.debugf("subscriber of %s left: %s", id, e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "serving events of %s failed", id);
            if (!response.headWritten()) {
                response.setStatusCode(500).end();
            } else {
                response.reset();
            }
        } finally {
            if (live != null) {
                tail.unsubscribe(live);
            }
            if (held != null) {
                held.close();
            }
        }
    }

    /**
     * This stream's chunks in {@code [from, until)}: from the tail's recent window if it holds them,
     * else from the log with a pooled consumer within {@code tenant}'s share (503 if none is free within
     * the history wait). The log is read no further than where an {@code ended} stream's records can be
     * ({@link #endOf}).
     */
    private History history(String id, String tenant, int partition, long from, long until, FinalAnswer ended)
            throws InterruptedException {
        if (from >= until) {
            return History.NONE;
        }
        List<ConsumerRecord<String, byte[]>> recent = tail.recent(partition, id, from, until);
        if (recent != null) {
            historyFromWindow.increment();
            return History.of(recent);
        }
        long to = ended == null ? until : Math.min(until, endOf(ended, partition));
        if (from >= to) {
            return History.NONE;
        }
        historyFromLog.increment();
        return History.fromLog(new ChunkReader(historyConsumers, tenant, deserializer,
                new TopicPartition(topics.chunks(), partition), id, from, to));
    }

    /**
     * An offset past every record of an ended stream: the first one stamped after its answer's time
     * plus the clock skew (chunks are stamped by the worker's clock, the terminal at the answer's
     * time), so that a resume after its last event does not read the rest of the partition.
     */
    private long endOf(FinalAnswer answer, int partition) {
        long after = tail.offsetForTime(partition, answer.getCompletedAt().toEpochMilli() + config.clockSkew().toMillis());
        return after < 0 ? Long.MAX_VALUE : after;
    }

    /** Queues the history's chunks on the writer, a write per batch; false once the terminal was sent. */
    private boolean send(History history, StreamEvents events, SseWriter out) throws InterruptedException {
        boolean more = history.send(deserializer, chunk -> queue(events, chunk, out), () -> {
            out.flush(); // one write per batch of history
            out.checkOpen();
        });
        out.flush();
        return more;
    }

    /**
     * What a heartbeat finds out about a stream that sent nothing for a while: it is no stream at all
     * ({@code notAStream}, a terminal error event to send), or it has ended meanwhile.
     */
    private record Idle(SseFrame notAStream, FinalAnswer ended) {}

    /**
     * The check made at each heartbeat. A subscriber of an id that was PENDING (not indexed yet) when it
     * connected gets a terminal {@code error} event once the id is past the pending grace and still names
     * no stream, instead of heartbeats forever. A subscriber of a stream whose answer appears meanwhile
     * (it resumed after a terminal the fold had not answered yet) gets the rest from the log and ends.
     */
    private Supplier<Idle> idleCheck(String id, RequestIndex.Lookup lookup, EventFormat format) {
        boolean pending = "PENDING".equals(lookup.status());
        return () -> {
            try {
                RequestIndex.Lookup now = index.lookup(id);
                return new Idle(null, now.answer());
            } catch (ApiException e) {
                return new Idle(pending && e.status() == 404 ? new SseFrame(null, "error", format.errorJson(e), true) : null,
                        null);
            }
        };
    }

    /** Where the subscriber's events start, or the final answer when retention removed the chunks. */
    private record Start(long from, FinalAnswer expired) {}

    /**
     * The first offset to send: after the given event id, but not before the stream's first chunk; the
     * tail's hand-over offset for {@code from=live}; otherwise the stream's first chunk, from the fold's
     * index, or for a request the fold has not indexed yet from the live tail, which saw it start (or
     * knows it has not written yet), else the first offset at or after its UUIDv7 time minus the clock
     * skew (a broker lookup by timestamp, never a scan).
     */
    private Start start(RequestIndex.Lookup lookup, EventId after, boolean fromLive, int partition, Subscription live) {
        if (after != null) {
            // Only an id at or past the tail's position needs the broker's word that it exists.
            if (after.offset() >= live.from() && after.offset() >= tail.end(partition)) {
                throw ApiException.badRequest("event id " + after + " is beyond the end of partition " + partition
                        + " of " + topics.chunks() + ": no event has that id; resume with the id of the last event received");
            }
            long from = after.offset() + 1;
            Long first = lookup.firstChunkOffset();
            if (first != null && from >= first) {
                return new Start(from, null);
            }
            // Before the stream's first chunk lie only other streams' records: start at its first chunk
            // (the client gets a reset, then the whole stream) rather than read them.
            Start stream = streamStart(lookup, partition, live);
            return new Start(Math.max(from, stream.expired() != null ? tail.beginning(partition) : stream.from()), null);
        }
        if (fromLive) {
            return new Start(live.from(), null);
        }
        return streamStart(lookup, partition, live);
    }

    /** Where the stream begins, or its final answer when retention removed its chunks. */
    private Start streamStart(RequestIndex.Lookup lookup, int partition, Subscription live) {
        if (lookup.answer() != null) {
            Long first = lookup.answer().getFirstChunkOffset();
            if (first == null || first < tail.beginning(partition)) {
                return new Start(-1, lookup.answer());
            }
            return new Start(first, null);
        }
        if (lookup.firstChunkOffset() != null) {
            return new Start(lookup.firstChunkOffset(), null);
        }
        long created = RequestIds.timestampOf(lookup.id()).toEpochMilli();
        long known = tail.knownStart(partition, lookup.id(), created, live);
        if (known >= 0) {
            return new Start(known, null);
        }
        long byTime = tail.offsetForTime(partition, created - config.clockSkew().toMillis());
        return new Start(byTime < 0 ? live.from() : byTime, null);
    }

    /** Starts the live part on the event loop, after the history up to {@code next}, skipping chunks before {@code from}. */
    private interface GoLive {
        LiveWriter start(long next, long from);
    }

    /**
     * History up to the tail's hand-over offset (if the start lies before it), then the tail, until the
     * terminal; the response is ended on return, unless the subscriber left. A stream that had
     * {@code ended} at lookup lies wholly before the partition's end, so it is read from history up to
     * there and never awaited on the tail: a resume after its terminal gets an empty response rather
     * than heartbeats forever. The live part runs on the event loop ({@link LiveWriter}); this thread
     * only wakes when the stream was idle for a heartbeat, to send one or to find out why.
     */
    private void stream(String id, String tenant, int partition, long from, boolean ended, History history, Subscription live,
                        StreamEvents events, SseWriter out, Supplier<Idle> idleCheck, GoLive goLive)
            throws InterruptedException {
        try (history) { // a consumer still held (an error while reading) goes back before the live part
            if (!send(history, events, out) || ended) {
                out.end();
                return;
            }
        }
        LiveWriter writer = goLive.start(Math.max(from, live.from()), from);
        try {
            while (!writer.awaitFinish(config.heartbeat())) {
                Idle idle = idleCheck.get();
                if (idle.notAStream() != null) {
                    writer.end(idle.notAStream());
                } else if (idle.ended() != null) {
                    // It ended while we waited, its terminal before our start (a resume after it): what
                    // the tail has not brought us yet is all in the log, up to the partition's end.
                    long next = writer.stop();
                    if (next >= 0) {
                        try (History rest = history(id, tenant, partition, next, tail.end(partition), idle.ended())) {
                            send(rest, events, out);
                        }
                        out.end();
                    }
                    return;
                } else {
                    writer.heartbeat();
                }
            }
        } finally {
            writer.stop(); // no write comes from the event loop once this thread returns
        }
    }

    /** Queues a chunk's events on the writer; false once the attempt's terminal event is queued. */
    private static boolean queue(StreamEvents events, ChunkReader.Positioned chunk, SseWriter out) {
        boolean[] ended = {false};
        events.map(chunk.position(), chunk.chunk(), frame -> {
            if (!ended[0]) {
                out.queue(frame);
                ended[0] = frame.terminal();
            }
        });
        return !ended[0];
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
