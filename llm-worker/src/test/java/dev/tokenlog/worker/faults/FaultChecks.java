package dev.tokenlog.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.Cancelled;
import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.Completed;
import dev.tokenlog.avro.Failed;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.avro.Started;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.testsupport.reliability.Scenario;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What every fault scenario asserts about the chunks of one request, and builds its requests. The
 * chunk contract (ARCHITECTURE.md): one attempt here (faults inside an attempt never start another),
 * {@code Started} first, {@code seq} contiguous from 0, exactly one terminal and it is the last chunk,
 * and no chunk carries the entries' API key.
 */
final class FaultChecks {
    private FaultChecks() {}

    /**
     * Audits the chunks of one request into {@code scenario} (checked, duplicates, gaps, one answer),
     * asserts the contract above and returns the terminal event.
     */
    static Object audit(Scenario scenario, List<ChunkRecord> chunks) {
        assertThat(chunks).as("chunks of the request").isNotEmpty();
        assertThat(chunks).extracting(ChunkRecord::getAttemptId).as("one attempt").containsOnly(chunks.get(0).getAttemptId());
        List<ChunkRecord> terminals = chunks.stream().filter(FaultChecks::isTerminal).toList();
        assertThat(terminals).as("terminal chunks").hasSize(1);
        long terminalSeq = terminals.get(0).getSeq();
        scenario.audit(LongStream.rangeClosed(0, terminalSeq).boxed().toList(),
                chunks.stream().map(ChunkRecord::getSeq).toList()).answered(1);
        assertThat(scenario.duplicateCount()).as("duplicate chunks").isZero();
        assertThat(scenario.gapCount()).as("missing chunks").isZero();
        assertThat(chunks).extracting(ChunkRecord::getSeq).as("seq in log order")
                .containsExactlyElementsOf(LongStream.range(0, chunks.size()).boxed().toList());
        assertThat(chunks.get(0).getEvent()).isInstanceOf(Started.class);
        assertThat(chunks.get(chunks.size() - 1)).as("the terminal is the last chunk").isSameAs(terminals.get(0));
        assertThat(chunks).allSatisfy(c -> assertThat(c.toString()).doesNotContain(FaultProfile.KEY));
        return terminals.get(0).getEvent();
    }

    static Started started(List<ChunkRecord> chunks) {
        return (Started) chunks.get(0).getEvent();
    }

    static String text(List<ChunkRecord> chunks) {
        return chunks.stream().filter(c -> c.getEvent() instanceof TextDelta)
                .map(c -> ((TextDelta) c.getEvent()).getText()).collect(Collectors.joining());
    }

    static long count(List<ChunkRecord> chunks, Class<?> eventType) {
        return chunks.stream().filter(c -> eventType.isInstance(c.getEvent())).count();
    }

    static boolean isTerminal(ChunkRecord c) {
        return c.getEvent() instanceof Completed || c.getEvent() instanceof Failed || c.getEvent() instanceof Cancelled;
    }

    /** A one-message request along {@code route} ({@code provider/model} pairs), with {@code metadata}. */
    static LlmRequest request(Map<String, String> metadata, String... route) {
        return LlmRequest.newBuilder()
                .setRequestId(RequestIds.newId())
                .setCreatedAt(Instant.now())
                .setRoute(Arrays.stream(route).map(t -> new RouteTarget(t.substring(0, t.indexOf('/')),
                        t.substring(t.indexOf('/') + 1))).toList())
                .setMessages(List.of(new Message("user", "Say hello", null, null, List.of(), List.of())))
                .setParams(GenerationParams.newBuilder().setMaxTokens(16).build())
                .setMetadata(metadata)
                .build();
    }

    /** Asserts the worker's readiness endpoint answers 200. */
    static void assertReady(URI readiness) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(readiness).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("readiness: " + response.body()).isEqualTo(200);
        }
    }
}
