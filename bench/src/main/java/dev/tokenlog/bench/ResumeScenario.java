package dev.tokenlog.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resume: clients that drop their connection mid-stream and reconnect with {@code ?after=<event id>}
 * ten events back (time from the reconnect request to the first replayed event), and catch-up replay
 * of a long finished stream read from its first event (events per second).
 */
final class ResumeScenario {
    static final String GROUP = "resume";
    private static final int EVENTS_PER_CONNECTION = 20;
    private static final int RESUME_BACK = 10;

    static void run(Context ctx) throws Exception {
        reconnects(ctx);
        catchUp(ctx);
    }

    private static void reconnects(Context ctx) throws InterruptedException {
        int perStream = ctx.scale().reconnectsPerStream();
        int tokens = EVENTS_PER_CONNECTION * (perStream + 1);
        StreamLoad.Shape shape = Context.chatShape(tokens);
        Latencies firstEvent = new Latencies();
        StreamLoad.Outcome outcome = StreamLoad.run(ctx.scale().resumeStreams(), Duration.ofSeconds(1), Duration.ofMinutes(3),
                latencies -> {
                    String id = ctx.gateway().create(shape.model(), tokens);
                    Latencies mine = new Latencies();
                    String after = "";
                    for (int connection = 0; connection <= perStream; connection++) {
                        after = readSome(ctx, ctx.gateway().events(id, after.isEmpty() ? "" : "after=" + encode(after)),
                                connection > 0 ? mine : null, latencies);
                    }
                    firstEvent.addAll(mine);
                });
        String method = ctx.scale().resumeStreams() + " live streams at 20 tokens/s; each client reads " + EVENTS_PER_CONNECTION
                + " events, closes the connection and reconnects with ?after=<the event " + RESUME_BACK + " back>, "
                + perStream + " times; time from sending the reconnect to receiving its first (replayed) event";
        ctx.results().add(GROUP, "reconnect to first replayed event p50", firstEvent.percentileMs(50), "ms", method);
        ctx.results().add(GROUP, "reconnect to first replayed event p99", firstEvent.percentileMs(99), "ms", method);
        ctx.results().note(GROUP, firstEvent.count() + " reconnects measured on " + outcome.completed() + " streams; "
                + outcome.failed() + " streams failed" + (outcome.failed() > 0 ? " (first: " + outcome.firstError() + ")" : ""));
    }

    /**
     * Reads {@link #EVENTS_PER_CONNECTION} events (or to the end) and returns the id to resume after;
     * records the time to the first event in {@code firstEvent} when given.
     */
    private static String readSome(Context ctx, URI uri, Latencies firstEvent, Latencies tokenLatencies) throws Exception {
        Deque<String> ids = new ArrayDeque<>();
        long sent = Micros.now();
        AtomicLong first = new AtomicLong();
        ctx.sse().get(uri, Map.of(), (id, event, data, received) -> {
            first.compareAndSet(0, received);
            if ("delta".equals(event)) {
                Micros.emitTimes(data, emitted -> tokenLatencies.add(received - emitted));
            }
            if (id != null) {
                ids.addLast(id);
            }
            return ids.size() < EVENTS_PER_CONNECTION && !"done".equals(event);
        });
        if (firstEvent != null && first.get() > 0) {
            firstEvent.add(first.get() - sent);
        }
        while (ids.size() > RESUME_BACK) {
            ids.removeFirst();
        }
        return ids.getFirst();
    }

    private static void catchUp(Context ctx) throws Exception {
        int tokens = ctx.scale().catchupTokens();
        String id = ctx.gateway().create(MockProvider.model(0, tokens, 0), tokens);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!"COMPLETED".equals(ctx.gateway().status(id))) {
            if (System.nanoTime() > deadline) {
                ctx.results().note(GROUP, "catch-up: the " + tokens + "-token stream did not complete within 3 minutes");
                return;
            }
            Thread.sleep(200);
        }
        Latencies rates = new Latencies();
        for (int round = 0; round < 3; round++) {
            AtomicLong events = new AtomicLong();
            long start = System.nanoTime();
            ctx.sse().get(ctx.gateway().events(id, ""), Map.of(), (eventId, event, data, received) -> {
                events.incrementAndGet();
                return !"done".equals(event);
            });
            rates.add((long) (events.get() / ((System.nanoTime() - start) / 1e9)));
        }
        String method = "one finished stream of " + tokens + " tokens (one chunk each) read from its first event to done "
                + "by one client, 3 times; events / (request sent → done received); median of the 3";
        ctx.results().add(GROUP, "catch-up replay", rates.percentileMicros(50), "events/s", method);
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
