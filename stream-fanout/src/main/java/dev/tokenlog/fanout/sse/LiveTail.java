package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.config.GatewayConfig;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.registry.SchemaRegistryException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * The gateway's one reader of the live end of {@code llm.chunks}: a single consumer, assigned every
 * partition from its end, feeds all live subscribers of this instance. A record is decoded only when
 * some subscriber waits for its stream, and then once for all of them.
 *
 * <p>Hand-over without gap or duplicate: {@link #subscribe} registers a subscriber under the lock of
 * its partition and returns the offset {@code R} the tail will deliver next there; every record the
 * subscriber gets from the tail has an offset at or after {@code R}, so it reads {@code [start, R)}
 * itself (history) and then only the tail.
 *
 * <p>The tail also keeps a {@link RecentWindow} per partition: the records it dispatched lately and
 * where each young stream began. A subscriber whose history lies in that window copies it from there,
 * and one that arrives before the fold has indexed its stream learns the stream's first offset from
 * it; neither reads the log (see {@code tokenlog_gateway_sse_history_reads_total}).
 */
@ApplicationScoped
public class LiveTail {
    private static final Logger LOG = Logger.getLogger(LiveTail.class);
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long after its request time the tail remembers where a stream began. */
    static final Duration REMEMBER = Duration.ofMinutes(2);
    private static final long EXPIRE_EVERY_MS = 1_000;

    private final FanoutKafka kafka;
    private final String topic;
    private final Deserializer<ChunkRecord> deserializer;
    private final long windowBytes;
    private final long skewMillis;
    private final Map<String, Set<Subscription>> byStream = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private Admin admin;
    /** Per partition: its lock, the tail's position there ({@code next}) and its recent window. */
    private Object[] locks;
    private long[] next;
    private RecentWindow[] windows;
    private long startedAt;
    private volatile boolean running = true;
    private Thread loop;
    private final HopTimers hops;

    public LiveTail(FanoutKafka kafka, TopicsConfig topics, GatewayConfig config, MeterRegistry registry, HopTimers hops) {
        this.hops = hops;
        this.kafka = kafka;
        this.topic = topics.chunks();
        this.deserializer = kafka.clients().deserializer(ChunkRecord.class);
        this.windowBytes = config.recentWindow().asLongValue();
        this.skewMillis = config.clockSkew().toMillis();
        Gauge.builder("tokenlog.gateway.sse.subscribers", this, LiveTail::subscriptions)
                .description("SSE subscribers registered with this instance's live tail").register(registry);
        Gauge.builder("tokenlog.gateway.sse.recent.bytes", this, LiveTail::recentBytes).baseUnit("bytes")
                .description("Estimated heap of the records the live tail keeps for new subscribers").register(registry);
    }

    void start(@Observes StartupEvent event) {
        admin = kafka.clients().admin("tokenlog-sse-offsets");
        loop = Thread.ofPlatform().name("tokenlog-sse-tail").daemon().start(this::run);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (loop != null) {
            loop.join(5_000);
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    /** When the tail took its positions; null before. Streams created a clock skew after it are seen from their start. */
    public Instant startedAt() {
        return ready() ? Instant.ofEpochMilli(startedAt) : null;
    }

    /** Whether the tail has its partitions and positions (for readiness). */
    public boolean ready() {
        return ready.getCount() == 0;
    }

    /** Live subscriptions: {@code tokenlog_gateway_sse_subscribers}. */
    public int subscriptions() {
        return byStream.values().stream().mapToInt(Set::size).sum();
    }

    private double recentBytes() {
        if (!ready()) {
            return 0;
        }
        RecentWindow[] w = windows;
        long sum = 0;
        for (int p = 0; p < w.length; p++) {
            synchronized (locks[p]) {
                sum += w[p].bytes();
            }
        }
        return sum;
    }

    /** The partition of {@code llm.chunks} that holds a stream: the producer's partitioner for its key. */
    int partitionOf(String streamId) {
        awaitReady();
        return Utils.toPositive(Utils.murmur2(streamId.getBytes(StandardCharsets.UTF_8))) % next.length;
    }

    /**
     * Registers a subscriber of {@code streamId}; the tail delivers its chunks from the returned
     * subscription's {@link Subscription#from()} on, into a buffer of {@code capacity} chunks.
     */
    Subscription subscribe(String streamId, int capacity) {
        int partition = partitionOf(streamId);
        synchronized (locks[partition]) {
            Subscription s = new Subscription(streamId, next[partition], capacity);
            byStream.computeIfAbsent(streamId, k -> ConcurrentHashMap.newKeySet()).add(s);
            return s;
        }
    }

    void unsubscribe(Subscription s) {
        s.close();
        byStream.computeIfPresent(s.streamId(), (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * Where stream {@code streamId} begins, if the tail knows without reading the log: the offset of its
     * first chunk, or {@code subscription.from()} when the stream began after the tail and has not
     * written a chunk yet; -1 when the tail cannot tell (the stream is older than the tail or than
     * {@link #REMEMBER}).
     */
    long knownStart(int partition, String streamId, long createdMillis, Subscription subscription) {
        synchronized (locks[partition]) {
            long start = windows[partition].start(streamId, createdMillis, System.currentTimeMillis(), skewMillis,
                    subscription.from());
            return start < 0 ? -1 : Math.min(start, subscription.from());
        }
    }

    /**
     * The records of {@code streamId} in {@code [from, until)} from the recent window, or null when
     * the window does not hold that range (read it from the log then).
     */
    List<ConsumerRecord<String, byte[]>> recent(int partition, String streamId, long from, long until) {
        synchronized (locks[partition]) {
            return windows[partition].records(streamId, from, until, next[partition]);
        }
    }

    /** The first offset of {@code partition} whose record is at or after {@code epochMillis}, or -1 when none is. */
    long offsetForTime(int partition, long epochMillis) {
        return listOffset(partition, OffsetSpec.forTimestamp(epochMillis));
    }

    /** The partition's end: the offset its next record will get. */
    long end(int partition) {
        return listOffset(partition, OffsetSpec.latest());
    }

    /** The partition's first offset still retained. */
    long beginning(int partition) {
        return listOffset(partition, OffsetSpec.earliest());
    }

    private long listOffset(int partition, OffsetSpec spec) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try {
            ListOffsetsResult.ListOffsetsResultInfo info = admin.listOffsets(Map.of(tp, spec)).partitionResult(tp)
                    .get(30, TimeUnit.SECONDS);
            return info.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking up an offset of " + tp, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot look up an offset of " + tp + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        try {
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the live tail of " + topic + " did not start within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the live tail", e);
        }
    }

    private void run() {
        try (Consumer<String, byte[]> consumer = kafka.clients().consumer(null, "tokenlog-sse-tail",
                Map.of("max.poll.records", 5000))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).sorted(java.util.Comparator.comparingInt(
                            TopicPartition::partition)).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            Object[] newLocks = new Object[partitions.size()];
            long[] positions = new long[partitions.size()];
            for (TopicPartition tp : partitions) {
                newLocks[tp.partition()] = new Object();
                positions[tp.partition()] = consumer.position(tp);
            }
            // Taken after the positions: every record appended from now on lies at or after them.
            long startedAt = System.currentTimeMillis();
            RecentWindow[] newWindows = new RecentWindow[partitions.size()];
            for (int p = 0; p < newWindows.length; p++) {
                newWindows[p] = new RecentWindow(positions[p], startedAt, windowBytes / newWindows.length,
                        REMEMBER.toMillis());
            }
            locks = newLocks;
            next = positions;
            this.startedAt = startedAt;
            windows = newWindows;
            ready.countDown();
            LOG.infof("live tail of %s started at %s, keeping up to %d bytes of recent records", topic,
                    java.util.Arrays.toString(next), windowBytes);
            long expired = startedAt;
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                long now = System.currentTimeMillis();
                for (TopicPartition tp : partitions) {
                    dispatch(tp, records.records(tp), consumer.position(tp), now);
                }
                if (now - expired >= EXPIRE_EVERY_MS) {
                    expired = now;
                    for (int p = 0; p < windows.length; p++) {
                        synchronized (locks[p]) {
                            windows[p].expire(now);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("the live tail stopped; live SSE subscribers get no more chunks", e);
        }
    }

    /**
     * Offers the partition's records of one poll to their subscribers, then wakes each subscriber that got
     * any once: one task on its connection's event loop per poll, however many chunks it got.
     */
    private void dispatch(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records, long position, long now) {
        int p = tp.partition();
        List<Subscription> touched = new ArrayList<>();
        synchronized (locks[p]) {
            for (ConsumerRecord<String, byte[]> record : records) {
                windows[p].add(record, now, skewMillis);
                Set<Subscription> subscribers = record.key() == null ? null : byStream.get(record.key());
                if (subscribers != null && !subscribers.isEmpty()) {
                    ChunkRecord chunk = decode(deserializer, record);
                    if (chunk != null) {
                        if (HopTimers.sampled(chunk)) {
                            hops.tailRead(chunk, now);
                        }
                        ChunkReader.Positioned positioned = new ChunkReader.Positioned(new EventId(p, record.offset()),
                                chunk, subscribers.size() > 1 ? new SharedFrames() : null);
                        for (Subscription s : subscribers) {
                            if (s.offer(positioned)) {
                                touched.add(s);
                            }
                        }
                    }
                }
                next[p] = record.offset() + 1;
            }
            // The position may pass the last record (transaction markers): nothing lies between them.
            next[p] = Math.max(next[p], position);
        }
        for (Subscription s : touched) {
            s.wake();
        }
    }

    /**
     * Decodes a chunk; null for one that cannot be decoded (logged and skipped, as the fold skips it).
     * A transient schema-registry failure is waited out, never skipped: the chunk is good.
     */
    static ChunkRecord decode(Deserializer<ChunkRecord> deserializer, ConsumerRecord<String, byte[]> record) {
        for (int attempt = 0; ; attempt++) {
            try {
                return deserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                if (!SchemaRegistryException.isTransient(e)) {
                    LOG.warnf("skipping undecodable chunk %s-%d@%d: %s", record.topic(), record.partition(),
                            record.offset(), e.getMessage());
                    return null;
                }
                if (attempt == 0) {
                    LOG.warnf("schema registry unavailable while decoding %s-%d@%d; waiting for it: %s",
                            record.topic(), record.partition(), record.offset(), e.getMessage());
                }
            }
            try {
                Thread.sleep(Math.min(2_000, 100L << Math.min(attempt, 5)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the schema registry", e);
            }
        }
    }
}
