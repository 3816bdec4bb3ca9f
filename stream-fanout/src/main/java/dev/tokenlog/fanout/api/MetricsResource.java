package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ThroughputWindow;
import dev.tokenlog.fanout.streams.ThroughputIndex;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Token throughput per provider, model and window (the same figures as {@code llm.metrics}). */
@Path("/v1/metrics")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class MetricsResource {
    private final ThroughputIndex index;
    private final Access access;

    public MetricsResource(ThroughputIndex index, Access access) {
        this.index = index;
        this.access = access;
    }

    /**
     * The windows that start in [from, to), oldest first, a page at a time; every parameter is optional.
     * With API keys on it needs a key (the figures are the gateway's, not one tenant's).
     *
     * @param provider  provider entry name, e.g. {@code mock}
     * @param model     model name, e.g. {@code echo}
     * @param from      ISO-8601 instant, e.g. {@code 2026-03-01T12:00:00Z}; default: the oldest window kept
     * @param to        ISO-8601 instant, exclusive; default: no upper bound
     * @param limit     windows per page, 1 to 1000; default 100
     * @param pageToken the {@code next} of the previous page; none for the first page
     * @return {@code {"windows":[...],"next":<page_token of the next page, or null after the last>}}
     */
    @GET
    @Path("throughput")
    public Map<String, Object> throughput(@QueryParam("provider") String provider,
                                          @QueryParam("model") String model,
                                          @QueryParam("from") String from,
                                          @QueryParam("to") String to,
                                          @QueryParam("limit") String limit,
                                          @QueryParam("page_token") String pageToken,
                                          @Context HttpHeaders headers) {
        access.tenant(headers::getHeaderString);
        Instant start = instant("from", from, Instant.EPOCH);
        Instant end = instant("to", to, Instant.ofEpochMilli(Long.MAX_VALUE));
        if (start.isAfter(end)) {
            throw ApiException.badRequest("'from' (" + from + ") is after 'to' (" + to + "); swap them");
        }
        int size = ThroughputPage.limit(limit);
        ThroughputPage.After after = ThroughputPage.after(pageToken);
        if (after != null && after.windowStart().isAfter(start)) {
            start = after.windowStart(); // nothing before the last page's window is needed
        }
        ThroughputPage page = ThroughputPage.of(index.windows(blankToNull(provider), blankToNull(model), start, end),
                after, size);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("windows", page.windows().stream().map(MetricsResource::json).toList());
        json.put("next", page.next());
        return json;
    }

    private static Instant instant(String name, String value, Instant absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            Instant parsed = Instant.parse(value.strip());
            if (parsed.isBefore(Instant.EPOCH)) {
                throw ApiException.badRequest("'" + name + "' must not be before 1970-01-01T00:00:00Z, got '" + value + "'");
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("'" + name + "' must be an ISO-8601 instant such as 2026-03-01T12:00:00Z, got '"
                    + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    static Map<String, Object> json(ThroughputWindow w) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("provider", w.getProvider());
        json.put("model", w.getModel());
        json.put("window_start", w.getWindowStart().toString());
        json.put("window_end", w.getWindowEnd().toString());
        json.put("requests_started", w.getRequestsStarted());
        json.put("requests_completed", w.getRequestsCompleted());
        json.put("requests_failed", w.getRequestsFailed());
        json.put("requests_cancelled", w.getRequestsCancelled());
        json.put("failed_by_code", new TreeMap<>(w.getFailedByCode()));
        json.put("output_tokens", w.getOutputTokens());
        json.put("tokens_per_second", w.getTokensPerSecond());
        json.put("ttft_samples", w.getTtftSamples());
        json.put("ttft_p50_ms", w.getTtftP50Ms());
        json.put("ttft_p95_ms", w.getTtftP95Ms());
        json.put("ttft_max_ms", w.getTtftMaxMs());
        return json;
    }
}
