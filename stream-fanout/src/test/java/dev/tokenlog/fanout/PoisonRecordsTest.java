package dev.tokenlog.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.fanout.sse.LiveTail;
import dev.tokenlog.fanout.streams.DecodeFailures;
import dev.tokenlog.fanout.streams.RegistryAwareDecodeHandler;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.schemas.Topics;
import dev.tokenlog.serde.WireFormat;
import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.testsupport.reliability.Fault;
import dev.tokenlog.testsupport.reliability.Scenario;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Undecodable records on {@code llm.chunks} and {@code llm.requests} are logged with their position,
 * counted, and skipped by the app's real Kafka Streams instance on the real broker: the good records
 * behind them, in the same partition, are still folded, and served to an SSE subscriber that meets
 * the poison on the live tail and to one that replays it from history.
 */
@QuarkusTest
@WithTestResource(TokenlogTestResource.class)
class PoisonRecordsTest {
    private static final String HANDLER_LOGGER = RegistryAwareDecodeHandler.class.getName();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    String base;

    @Inject
    FanoutKafka kafka;

    @Inject
    DecodeFailures failures;

    @Inject
    LiveTail tail;

    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage()
                    : record.getMessage() + " " + Arrays.toString(record.getParameters()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        Logger.getLogger(HANDLER_LOGGER).addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        Logger.getLogger(HANDLER_LOGGER).removeHandler(capture);
    }

    @Test
    void undecodableRecordsAreLoggedCountedAndSkipped() throws Exception {
        Scenario s = Scenario.start(Fault.INPUT, "Poison records on llm.chunks and llm.requests",
                "non-Avro bytes, empty and truncated records, an unknown schema id and a record of the wrong type"
                        + " amid one stream's good records",
                "each skipped, logged with its offset and counted (tokenlog_streams_undecodable_records_total); the"
                        + " stream behind them folded and served over SSE, live and replayed; gateway ready");
        String id = RequestIds.newId();
        Instant createdAt = RequestIds.timestampOf(id);
        long chunksBefore = failures.count(Topics.CHUNKS);
        long requestsBefore = failures.count(Topics.REQUESTS);
        byte[] goodChunk = kafka.clients().serializer(ChunkRecord.class).serialize(Topics.CHUNKS,
                new ChunkRecord(id, "a1", 0L, createdAt, new Started("mock", "m1", 0)));
        byte[] goodRequest = kafka.clients().serializer(LlmRequest.class).serialize(Topics.REQUESTS, request(id, createdAt));
        int subscribed = tail.subscriptions();
        FutureTask<SseClient.Result> live = new FutureTask<>(
                () -> SseClient.read(url("/v1/streams/" + id + "/events"), null, Duration.ofSeconds(60)));
        Thread.ofVirtual().start(live);
        await().atMost(Duration.ofSeconds(30)).until(() -> tail.subscriptions() > subscribed); // the tail meets the poison

        List<Long> poisonOffsets = new ArrayList<>();
        poisonOffsets.add(sendRaw(Topics.REQUESTS, id, "{\"json\":\"is not avro\"}".getBytes(StandardCharsets.UTF_8)));
        poisonOffsets.add(sendRaw(Topics.REQUESTS, id, Arrays.copyOf(goodRequest, goodRequest.length / 2)));
        poisonOffsets.add(sendRaw(Topics.REQUESTS, id, goodChunk)); // wrong record type: a ChunkRecord
        send(Topics.REQUESTS, id, goodRequest);
        poisonOffsets.add(sendRaw(Topics.CHUNKS, id, new byte[0]));
        poisonOffsets.add(sendRaw(Topics.CHUNKS, id, "not avro".getBytes(StandardCharsets.UTF_8)));
        poisonOffsets.add(sendRaw(Topics.CHUNKS, id, WireFormat.frame(987_654_321, new byte[] {2, 4, 6})));
        poisonOffsets.add(sendRaw(Topics.CHUNKS, id, Arrays.copyOf(goodChunk, goodChunk.length - 3)));
        poisonOffsets.add(sendRaw(Topics.CHUNKS, id, goodRequest)); // wrong record type: an LlmRequest
        send(Topics.CHUNKS, id, goodChunk);
        produceRest(id, createdAt);

        JsonNode answer = awaitCompleted(id);
        assertThat(answer.get("text").asText()).isEqualTo("survived the poison");
        assertThat(answer.get("created_at").asText()).as("from the LlmRequest behind the poison")
                .isEqualTo(createdAt.toString());
        assertThat(failures.count(Topics.REQUESTS) - requestsBefore).isEqualTo(3);
        assertThat(failures.count(Topics.CHUNKS) - chunksBefore).isEqualTo(5);
        for (long offset : poisonOffsets) {
            assertThat(logged).as("a warning naming offset %d", offset)
                    .anyMatch(m -> m.matches("(?s)skipping undecodable record (" + Topics.CHUNKS + "|" + Topics.REQUESTS
                            + ")-\\d+@" + offset + ": .*"));
        }
        String prometheus = new GatewayApi(base).management("/q/metrics").body();
        assertThat(prometheus).contains("tokenlog_streams_undecodable_records_total{topic=\"llm.chunks\"}")
                .contains("tokenlog_streams_undecodable_records_total{topic=\"llm.requests\"}");

        SseClient.Result replay = SseClient.read(url("/v1/streams/" + id + "/events"), null, Duration.ofSeconds(60));
        for (SseClient.Result sse : List.of(live.get(60, TimeUnit.SECONDS), replay)) {
            assertThat(sse.events()).extracting(SseClient.Event::event).containsExactly("start", "delta", "delta", "done");
            assertThat(sse.text()).isEqualTo(answer.get("text").asText());
            s.checked(sse.events().size());
        }
        assertThat(new GatewayApi(base).management("/q/health/ready").statusCode()).as("fold and gateway ready")
                .isEqualTo(200);
        // A poison record's outcome is its skip: logged with its offset and counted, both checked above.
        s.sent(poisonOffsets.size() + 1).answered(poisonOffsets.size() + 1)
                .note(poisonOffsets.size() + " poison records skipped and counted, 1 good stream behind them answered");
        s.passed();
    }


    private void produceRest(String id, Instant at) throws Exception {
        var serializer = kafka.clients().serializer(ChunkRecord.class);
        List<ChunkRecord> rest = List.of(
                new ChunkRecord(id, "a1", 1L, at.plusMillis(1), new TextDelta("survived ")),
                new ChunkRecord(id, "a1", 2L, at.plusMillis(2), new TextDelta("the poison")),
                new ChunkRecord(id, "a1", 3L, at.plusMillis(3), new Completed(FinishReason.STOP, "stop")));
        for (ChunkRecord chunk : rest) {
            send(Topics.CHUNKS, id, serializer.serialize(Topics.CHUNKS, chunk));
        }
    }

    private long sendRaw(String topic, String key, byte[] value) throws Exception {
        return send(topic, key, value);
    }

    private long send(String topic, String key, byte[] value) throws Exception {
        return kafka.producer().send(new ProducerRecord<>(topic, key, value)).get().offset();
    }

    private JsonNode awaitCompleted(String id) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/streams/" + id))).build(),
                    HttpResponse.BodyHandlers.ofString());
            last[0] = response.statusCode() == 200 ? TestJson.parse(response.body()) : null;
            return last[0] != null && "COMPLETED".equals(last[0].get("status").asText());
        });
        return last[0];
    }

    private static LlmRequest request(String id, Instant createdAt) {
        return LlmRequest.newBuilder()
                .setRequestId(id)
                .setCreatedAt(createdAt.truncatedTo(ChronoUnit.MILLIS))
                .setRoute(List.of(new RouteTarget("mock", "m1")))
                .setMessages(List.of(new Message("user", "hello", null, null, java.util.List.of(), java.util.List.of())))
                .setParams(GenerationParams.newBuilder().build())
                .build();
    }

    private String url(String path) {
        return base.replaceAll("/$", "") + path;
    }
}
