package dev.tokenlog.fanout.streams;

import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.metrics.ModelKey;
import dev.tokenlog.fanout.metrics.ThroughputWindows;
import dev.tokenlog.fanout.metrics.WindowAggregate;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Reads throughput windows from this instance's {@link ThroughputWindows#WINDOW_STORE} (an
 * interactive query). The store holds the windows of the provider/model keys whose partitions of the
 * repartition topic this instance owns: with one instance that is every window; with several, each
 * answers for its share, and fanning a query in over all instances is a later step.
 *
 * <p>The window still open (and any within its grace) is included with its counts so far; the
 * values of a closed window equal what was written to {@code llm.metrics}.
 */
@ApplicationScoped
public class ThroughputIndex {
    private final KafkaStreams streams;

    public ThroughputIndex(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * Windows starting in [from, to), ordered by start, provider, model.
     *
     * @param provider only this provider entry; null for all
     * @param model    only this model; null for all
     * @throws ApiException 503 while the store is not queryable (starting, rebalancing)
     */
    public List<ThroughputWindow> windows(String provider, String model, Instant from, Instant to) {
        List<ThroughputWindow> found = new ArrayList<>();
        if (!from.isBefore(to)) {
            return found;
        }
        Instant last = to.minusMillis(1);
        try (KeyValueIterator<Windowed<String>, WindowAggregate> all = store().fetchAll(from, last)) {
            all.forEachRemaining(kv -> {
                ModelKey key = ModelKey.parse(kv.key.key());
                if ((provider == null || provider.equals(key.provider())) && (model == null || model.equals(key.model()))) {
                    found.add(kv.value.toAvro(key, kv.key.window().startTime(), kv.key.window().endTime()));
                }
            });
        } catch (InvalidStateStoreException e) {
            throw new ApiException(503, "starting", "the throughput windows are not queryable yet; retry shortly");
        }
        found.sort(Comparator.comparing(ThroughputWindow::getWindowStart)
                .thenComparing(ThroughputWindow::getProvider).thenComparing(ThroughputWindow::getModel));
        return found;
    }

    private ReadOnlyWindowStore<String, WindowAggregate> store() {
        return streams.store(StoreQueryParameters.fromNameAndType(ThroughputWindows.WINDOW_STORE,
                QueryableStoreTypes.<String, WindowAggregate>windowStore()).enableStaleStores());
    }
}
