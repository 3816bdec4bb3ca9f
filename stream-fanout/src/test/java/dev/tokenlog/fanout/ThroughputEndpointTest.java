package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.avro.Usage;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.schemas.Topics;
import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/metrics/throughput} against the app's own Kafka Streams instance on the real broker:
 * chunks produced to {@code llm.chunks} show up in the window store the endpoint reads.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class ThroughputEndpointTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    String base;

    @Inject
    FanoutKafka kafka;

    @BeforeEach
    void awaitGatewayReady() {
        new GatewayApi(base).awaitReady(Duration.ofSeconds(120)); // the window store answers once the fold runs
    }

    @Test
    void servesTheCountsOfTheWindowsOfOneProviderAndModel() throws Exception {
        String provider = "it-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        produce(request(now, provider, 120, new Completed(FinishReason.STOP, "stop")));
        produce(request(now, provider, 80, new Completed(FinishReason.STOP, "stop")));
        produce(request(now, provider, 5, new Failed("PROVIDER_ERROR", "upstream 500", true, true)));

        JsonNode[] windows = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            windows[0] = getJson("/v1/metrics/throughput?provider=" + provider);
            return sum(windows[0], "requests_completed") + sum(windows[0], "requests_failed") == 3;
        });
        JsonNode list = windows[0];
        assertThat(sum(list, "requests_started")).isEqualTo(3);
        assertThat(sum(list, "requests_completed")).isEqualTo(2);
        assertThat(sum(list, "output_tokens")).isEqualTo(205);
        assertThat(sum(list, "ttft_samples")).isEqualTo(3);
        JsonNode first = list.get(0);
        assertThat(first.get("provider").asText()).isEqualTo(provider);
        assertThat(first.get("model").asText()).isEqualTo("m1");
        assertThat(Duration.between(Instant.parse(first.get("window_start").asText()),
                Instant.parse(first.get("window_end").asText()))).isEqualTo(Duration.ofMinutes(1));
        assertThat(first.get("ttft_p95_ms").isNumber()).isTrue();
        assertThat(list.findValues("failed_by_code").stream().filter(m -> m.has("PROVIDER_ERROR"))
                .mapToLong(m -> m.get("PROVIDER_ERROR").asLong()).sum()).isEqualTo(1);

        assertThat(getJson("/v1/metrics/throughput?provider=" + provider + "&model=m1")).hasSize(list.size());
        assertThat(getJson("/v1/metrics/throughput?provider=" + provider + "&model=other")).isEmpty();
        String later = enc(now.plus(Duration.ofHours(1)).toString());
        assertThat(getJson("/v1/metrics/throughput?provider=" + provider + "&from=" + later)).isEmpty();
        String earlier = enc(now.minus(Duration.ofHours(1)).toString());
        assertThat(getJson("/v1/metrics/throughput?provider=" + provider + "&from=" + earlier + "&to=" + later))
                .hasSize(list.size());
        assertThat(getJson("/v1/metrics/throughput")).as("no filter: every provider").hasSizeGreaterThanOrEqualTo(list.size());
    }

    @Test
    void rejectsMalformedOrReversedTimesWithAJsonError() throws Exception {
        HttpResponse<String> malformed = get("/v1/metrics/throughput?from=yesterday");
        assertThat(malformed.statusCode()).isEqualTo(400);
        JsonNode error = TestJson.parse(malformed.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_request");
        assertThat(error.get("message").asText()).contains("'from'", "ISO-8601", "yesterday");

        HttpResponse<String> reversed = get("/v1/metrics/throughput?from=2026-03-01T12:00:00Z&to=2026-03-01T11:00:00Z");
        assertThat(reversed.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(reversed.body()).get("error").get("message").asText()).contains("after");

        assertThat(get("/v1/metrics/throughput?to=2026-13-01T00:00:00Z").statusCode()).isEqualTo(400);
    }

    @Test
    void pagesFollowEachOtherWithoutGapOrRepeat() throws Exception {
        String provider = "page-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        for (String model : List.of("m1", "m2", "m3")) {
            produce(request(now, provider, model, 10, new Completed(FinishReason.STOP, "stop")));
        }
        JsonNode[] all = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            all[0] = getJson("/v1/metrics/throughput?provider=" + provider);
            return sum(all[0], "requests_completed") == 3;
        });
        List<String> expected = new ArrayList<>();
        all[0].forEach(w -> expected.add(w.get("window_start").asText() + " " + w.get("model").asText()));
        assertThat(expected).hasSizeGreaterThanOrEqualTo(3);

        List<String> paged = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            JsonNode page = page("/v1/metrics/throughput?provider=" + provider + "&limit=1"
                    + (next == null ? "" : "&page_token=" + enc(next)));
            assertThat(page.get("windows")).hasSize(1);
            page.get("windows").forEach(w -> paged.add(w.get("window_start").asText() + " " + w.get("model").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        } while (next != null && pages <= expected.size());
        assertThat(paged).as("every window once, in order").isEqualTo(expected);
        assertThat(page("/v1/metrics/throughput?provider=" + provider + "&limit=1000").get("next").isNull()).isTrue();

        for (String bad : List.of("limit=0", "limit=1001", "limit=ten", "page_token=not-a-token")) {
            HttpResponse<String> refused = get("/v1/metrics/throughput?" + bad);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(TestJson.parse(refused.body()).at("/error/message").asText()).as(bad)
                    .contains(bad.substring(0, bad.indexOf('=')));
        }
    }

    private ChunkRecord[] request(Instant at, String provider, long outputTokens, Object terminal) {
        return request(at, provider, "m1", outputTokens, terminal);
    }

    private ChunkRecord[] request(Instant at, String provider, String model, long outputTokens, Object terminal) {
        String id = RequestIds.newId();
        return new ChunkRecord[] {
            new ChunkRecord(id, "a1", 0L, at, new Started(provider, model, 0)),
            new ChunkRecord(id, "a1", 1L, at.plusMillis(30), new TextDelta("hello")),
            new ChunkRecord(id, "a1", 2L, at.plusMillis(40), new Usage(3L, outputTokens, 0L, 0L)),
            new ChunkRecord(id, "a1", 3L, at.plusMillis(50), terminal)};
    }

    private void produce(ChunkRecord... chunks) throws Exception {
        Serializer<ChunkRecord> serializer = kafka.clients().serializer(ChunkRecord.class);
        for (ChunkRecord chunk : chunks) {
            kafka.producer().send(new ProducerRecord<>(Topics.CHUNKS, chunk.getRequestId(),
                    serializer.serialize(Topics.CHUNKS, chunk))).get();
        }
    }

    private static long sum(JsonNode windows, String field) {
        long total = 0;
        for (JsonNode w : windows) {
            total += w.get(field).asLong();
        }
        return total;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The windows of the one page at {@code path}. */
    private JsonNode getJson(String path) throws IOException, InterruptedException {
        return page(path).get("windows");
    }

    private JsonNode page(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestJson.parse(response.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base.replaceAll("/$", "") + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
