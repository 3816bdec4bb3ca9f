package dev.tokenlog.worker.provider.gemini;

import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.SseEvent;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.function.Consumer;

/**
 * Folds one {@code streamGenerateContent?alt=sse} stream into normalised events. Every event's data
 * is a whole GenerateContentResponse; only the first candidate is streamed. There is no terminal
 * marker (the stream ends at close after a chunk with {@code finishReason}), so Usage and Finished
 * are reported by {@link #complete()} at EOF. One instance per call.
 */
final class GeminiStreamMapper {
    private final String provider;
    private final Secrets secrets;
    private final Consumer<ProviderEvent> sink;
    private int functionCalls;
    private GeminiWire.UsageMetadata usage;
    private String finishReason;
    private String blockReason;

    GeminiStreamMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.secrets = secrets;
        this.sink = sink;
    }

    void on(SseEvent sse) throws ProviderException {
        if (sse.data().isBlank()) {
            return;
        }
        GeminiWire.Chunk chunk = parse(sse.data());
        if (chunk.error() != null) {
            throw GeminiErrors.inBand(provider, chunk.error(), secrets);
        }
        if (chunk.usageMetadata() != null) {
            usage = chunk.usageMetadata(); // cumulative: the last one wins
        }
        if (chunk.promptFeedback() != null && chunk.promptFeedback().blockReason() != null) {
            blockReason = chunk.promptFeedback().blockReason();
        }
        if (chunk.candidates() == null || chunk.candidates().isEmpty()) {
            return;
        }
        GeminiWire.Candidate candidate = chunk.candidates().get(0);
        if (candidate.content() != null && candidate.content().parts() != null) {
            for (GeminiWire.Part part : candidate.content().parts()) {
                part(part);
            }
        }
        if (candidate.finishReason() != null) {
            finishReason = candidate.finishReason();
        }
    }

    /**
     * At EOF: reports usage and Finished and returns true if the stream ended properly (a finish
     * reason, or a blocked prompt, which finishes CONTENT_FILTER with no text); false if it was cut.
     */
    boolean complete() {
        String raw = finishReason != null ? finishReason : blockReason;
        if (raw == null) {
            return false;
        }
        if (usage != null) {
            sink.accept(new ProviderEvent.Usage(count(usage.promptTokenCount()), count(usage.candidatesTokenCount()),
                    count(usage.cachedContentTokenCount()), count(usage.thoughtsTokenCount())));
        }
        sink.accept(new ProviderEvent.Finished(finishReason != null
                ? GeminiErrors.finishReason(finishReason, functionCalls > 0)
                : FinishReason.CONTENT_FILTER, raw));
        return true;
    }

    private void part(GeminiWire.Part part) {
        if (part.functionCall() != null) {
            // Calls arrive whole and usually without id (it is optional): number them in order of arrival.
            GeminiWire.FunctionCall call = part.functionCall();
            int index = functionCalls++;
            String id = call.id() != null && !call.id().isBlank() ? call.id() : "call_" + (index + 1);
            // The name is required downstream (ChunkRecord); a call without one still starts, nameless.
            sink.accept(new ProviderEvent.ToolCallStart(index, id, call.name() == null ? "" : call.name()));
            String args = call.args() == null || call.args().isNull() ? "{}" : call.args().toString();
            sink.accept(new ProviderEvent.ToolCallArguments(index, args));
            sink.accept(new ProviderEvent.ToolCallEnd(index));
        } else if (part.text() != null && !part.text().isEmpty()) {
            sink.accept(Boolean.TRUE.equals(part.thought())
                    ? new ProviderEvent.Reasoning(part.text())
                    : new ProviderEvent.Text(part.text()));
        }
    }

    private static long count(Long value) {
        return value == null ? 0 : value;
    }

    private GeminiWire.Chunk parse(String data) throws ProviderException {
        return WireJson.read(GeminiWire.JSON, provider, data, GeminiWire.Chunk.class);
    }
}
