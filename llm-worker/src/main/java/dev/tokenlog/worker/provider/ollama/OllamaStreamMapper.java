package dev.tokenlog.worker.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.function.Consumer;

/**
 * Folds one {@code /api/chat} NDJSON stream into normalised events: each line's {@code message}
 * carries content, thinking or whole tool calls; the line with {@code done: true} ends the stream
 * with its counts and {@code done_reason}. One instance per call.
 */
final class OllamaStreamMapper {
    private final String provider;
    private final Secrets secrets;
    private final Consumer<ProviderEvent> sink;
    private int toolCalls;
    private boolean finished;

    OllamaStreamMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.secrets = secrets;
        this.sink = sink;
    }

    /** Whether the {@code done: true} line arrived (and Finished was reported). */
    boolean finished() {
        return finished;
    }

    void on(String line) throws ProviderException {
        if (finished) {
            return;
        }
        OllamaWire.Line parsed = parse(line);
        if (parsed.error() != null && !parsed.error().isNull()) {
            JsonNode error = parsed.error();
            throw OllamaErrors.inBand(provider, error.isTextual() ? error.asText() : error.toString(), secrets);
        }
        if (parsed.message() != null) {
            message(parsed.message());
        }
        if (Boolean.TRUE.equals(parsed.done())) {
            if (parsed.promptEvalCount() != null || parsed.evalCount() != null) {
                sink.accept(new ProviderEvent.Usage(count(parsed.promptEvalCount()), count(parsed.evalCount()), 0, 0));
            }
            sink.accept(new ProviderEvent.Finished(OllamaErrors.finishReason(parsed.doneReason(), toolCalls > 0),
                    parsed.doneReason()));
            finished = true;
        }
    }

    private void message(OllamaWire.Delta message) {
        if (message.thinking() != null && !message.thinking().isEmpty()) {
            sink.accept(new ProviderEvent.Reasoning(message.thinking()));
        }
        if (message.content() != null && !message.content().isEmpty()) {
            sink.accept(new ProviderEvent.Text(message.content()));
        }
        if (message.toolCalls() == null) {
            return;
        }
        for (OllamaWire.ToolCall call : message.toolCalls()) {
            // Calls arrive whole and usually without id: number them in order of arrival.
            int index = toolCalls++;
            String id = call.id() != null && !call.id().isBlank() ? call.id() : "call_" + (index + 1);
            OllamaWire.CalledFunction function = call.function();
            // The name is required downstream (ChunkRecord); a call without one still starts, nameless.
            String name = function == null || function.name() == null ? "" : function.name();
            sink.accept(new ProviderEvent.ToolCallStart(index, id, name));
            sink.accept(new ProviderEvent.ToolCallArguments(index, arguments(function)));
            sink.accept(new ProviderEvent.ToolCallEnd(index));
        }
    }

    /** Arguments are a JSON object; a proxy that sends them as a JSON string gets its string passed on. */
    private static String arguments(OllamaWire.CalledFunction function) {
        JsonNode args = function == null ? null : function.arguments();
        if (args == null || args.isNull()) {
            return "{}";
        }
        return args.isTextual() ? args.asText() : args.toString();
    }

    private static long count(Long value) {
        return value == null ? 0 : value;
    }

    private OllamaWire.Line parse(String line) throws ProviderException {
        return WireJson.read(OllamaWire.JSON, provider, line, OllamaWire.Line.class);
    }
}
