package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ThroughputWindow;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * One page of {@code GET /v1/metrics/throughput}: at most {@code limit} windows (default
 * {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}) after the position a {@code page_token} names.
 * The token is the last window's sort key (start, provider, model), so a page never repeats or skips a
 * window while windows are added.
 */
record ThroughputPage(List<ThroughputWindow> windows, String next) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** The order of windows in the answer and of page tokens. */
    static final Comparator<ThroughputWindow> ORDER = Comparator.comparing(ThroughputWindow::getWindowStart)
            .thenComparing(ThroughputWindow::getProvider).thenComparing(ThroughputWindow::getModel);

    /** Where a page starts: after the window with this sort key. */
    record After(Instant windowStart, String provider, String model) {
        boolean before(ThroughputWindow w) {
            return ORDER.compare(probe(), w) < 0;
        }

        private ThroughputWindow probe() {
            ThroughputWindow w = new ThroughputWindow();
            w.setWindowStart(windowStart);
            w.setProvider(provider);
            w.setModel(model);
            return w;
        }
    }

    /** The page of {@code sorted} (in {@link #ORDER}) after {@code after} (null: from the first). */
    static ThroughputPage of(List<ThroughputWindow> sorted, After after, int limit) {
        List<ThroughputWindow> rest = after == null ? sorted : sorted.stream().filter(after::before).toList();
        if (rest.size() <= limit) {
            return new ThroughputPage(rest, null);
        }
        List<ThroughputWindow> page = rest.subList(0, limit);
        ThroughputWindow last = page.getLast();
        String key = last.getWindowStart().toEpochMilli() + "\n" + last.getProvider() + "\n" + last.getModel();
        return new ThroughputPage(page, Base64.getUrlEncoder().withoutPadding()
                .encodeToString(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads {@code limit}; 400 unless an integer in [1, MAX_LIMIT]. */
    static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("'limit' must be an integer from 1 to " + MAX_LIMIT + ", got '" + text + "'");
    }

    /** Reads {@code page_token}; 400 unless it is the {@code next} of an earlier page. */
    static After after(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8)
                    .split("\n", -1);
            if (parts.length == 3) {
                return new After(Instant.ofEpochMilli(Long.parseLong(parts[0])), parts[1], parts[2]);
            }
        } catch (IllegalArgumentException e) {
            // answered below (NumberFormatException is one)
        }
        throw ApiException.badRequest("'page_token' is not one this endpoint issued: pass the 'next' value of the"
                + " previous page unchanged, or leave it out for the first page");
    }
}
