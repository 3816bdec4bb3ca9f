package dev.tokenlog.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The exactly-once fold (Kafka Streams, {@code exactly_once_v2}): many streams that the mock emits
 * as fast as it can, with nobody subscribed, so the fold works through a backlog. Reports the fold
 * rate from the gateway's own counter ({@code tokenlog_fold_chunks_folded}) and the time from the mock
 * having emitted the last token until every answer is {@code COMPLETED} at {@code GET /v1/streams/{id}}.
 */
final class FoldScenario {
    static final String GROUP = "fold";

    static void run(Context ctx) throws Exception {
        int streams = ctx.scale().foldStreams();
        int tokens = ctx.scale().foldTokens();
        String model = MockProvider.model(0, tokens, 0);
        double foldedBefore = ctx.gateway().metric("tokenlog_fold_chunks_folded");
        long finishedBefore = ctx.mock().streamsFinished();
        long tokensBefore = ctx.mock().tokensEmitted();
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                created.add(threads.submit(() -> ctx.gateway().create(model, tokens)));
            }
            for (var f : created) {
                ids.add(f.get());
            }
        }
        long deadline = start + Duration.ofMinutes(5).toNanos();
        long emitted = 0;
        Set<String> pending = new HashSet<>(ids);
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            if (emitted == 0 && ctx.mock().streamsFinished() - finishedBefore >= streams) {
                emitted = System.nanoTime();
            }
            for (String id : List.copyOf(pending)) {
                if ("COMPLETED".equals(ctx.gateway().status(id))) {
                    pending.remove(id);
                }
            }
            Thread.sleep(100);
        }
        long folded = System.nanoTime();
        double chunks = ctx.gateway().metric("tokenlog_fold_chunks_folded") - foldedBefore;
        double seconds = (folded - start) / 1e9;
        String method = streams + " streams x " + tokens + " tokens emitted as fast as possible, no subscriber; chunks = growth of "
                + "tokenlog_fold_chunks_folded (terminals and usage included); time = first POST until every answer reads COMPLETED "
                + "(status polled every 100 ms); lag = mock emitted its last token until then";
        ctx.results().add(GROUP, "chunks folded per second (exactly-once), end to end", chunks / seconds, "chunks/s", method);
        ctx.results().add(GROUP, "last token emitted -> every answer COMPLETED", emitted == 0 ? Double.NaN
                : TimeUnit.NANOSECONDS.toMillis(folded - emitted), "ms", method);
        ctx.results().add(GROUP, "tokens the worker took from the mock per second, meanwhile", emitted == 0 ? Double.NaN
                : (ctx.mock().tokensEmitted() - tokensBefore) / ((emitted - start) / 1e9), "tokens/s", method);
        ctx.results().note(GROUP, (streams - pending.size()) + " of " + streams + " answers COMPLETED, " + (long) chunks
                + " chunks folded in " + String.format("%.1f", seconds) + " s");
    }
}
