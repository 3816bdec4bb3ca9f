package dev.tokenlog.worker.provider.watsonx;

import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.SseEvent;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Folds one watsonx.ai {@code chat_stream} into normalised events. The chunks are OpenAI-chat-like:
 * {@code choices[0].delta} with {@code content}, {@code reasoning_content} and {@code tool_calls}
 * fragments (the first fragment of a call has its id and name), {@code finish_reason} on the last
 * choice chunk, then a chunk with {@code choices: []} and {@code usage}. There is no terminal marker
 * ({@code [DONE]} is honoured if a gateway sends one): the stream ends at close after a finish
 * reason, so Usage and Finished are reported by {@link #complete()}. One instance per call.
 */
final class WatsonxStreamMapper {
    private final String provider;
    private final Secrets secrets;
    private final Consumer<ProviderEvent> sink;
    /** Wire tool-call index → our index (order of first appearance); removed when the call ends. */
    private final Map<Integer, Integer> openTools = new LinkedHashMap<>();
    private int tools;
    private WatsonxWire.Usage usage;
    private String finishReason;
    private boolean done;

    WatsonxStreamMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.secrets = secrets;
        this.sink = sink;
    }

    /** Whether {@code [DONE]} arrived: nothing more is read. */
    boolean done() {
        return done;
    }

    void on(SseEvent sse) throws ProviderException {
        if (done || sse.data().isBlank() || "close".equals(sse.event())) {
            return;
        }
        if ("[DONE]".equals(sse.data().strip())) {
            done = true;
            return;
        }
        WatsonxWire.Chunk chunk = parse(sse.data());
        if ("error".equals(sse.event()) || (chunk.errors() != null && !chunk.errors().isEmpty())) {
            throw WatsonxErrors.inBand(provider, chunk.errors(), chunk.statusCode(), secrets);
        }
        if (chunk.usage() != null) {
            usage = chunk.usage(); // the last report wins
        }
        if (chunk.choices() == null || chunk.choices().isEmpty()) {
            return;
        }
        WatsonxWire.Choice choice = chunk.choices().get(0);
        if (choice.delta() != null) {
            delta(choice.delta());
        }
        if (choice.finishReason() != null && !choice.finishReason().isBlank() && finishReason == null) {
            finishReason = choice.finishReason();
            openTools.values().forEach(tool -> sink.accept(new ProviderEvent.ToolCallEnd(tool)));
            openTools.clear();
        }
    }

    /**
     * At EOF or {@code [DONE]}: reports usage and Finished and returns true if a finish reason
     * arrived; false if the stream was cut.
     */
    boolean complete() {
        if (finishReason == null) {
            return false;
        }
        if (usage != null) {
            sink.accept(new ProviderEvent.Usage(count(usage.promptTokens()), count(usage.completionTokens()), 0, 0));
        }
        sink.accept(new ProviderEvent.Finished(WatsonxErrors.finishReason(finishReason, tools > 0), finishReason));
        return true;
    }

    private void delta(WatsonxWire.Delta delta) throws ProviderException {
        if (delta.reasoningContent() != null && !delta.reasoningContent().isEmpty()) {
            sink.accept(new ProviderEvent.Reasoning(delta.reasoningContent()));
        }
        if (delta.content() != null && !delta.content().isEmpty()) {
            sink.accept(new ProviderEvent.Text(delta.content()));
        }
        if (delta.toolCalls() == null) {
            return;
        }
        for (WatsonxWire.ToolCall call : delta.toolCalls()) {
            int wireIndex = call.index() != null ? call.index() : 0;
            Integer tool = openTools.get(wireIndex);
            if (tool == null) {
                if (call.function() == null || call.function().name() == null) {
                    throw ProviderException.protocol(provider + " sent a tool call fragment before the call's name");
                }
                tool = tools++;
                openTools.put(wireIndex, tool);
                // Ids are optional on some OpenAI-like servers: number the calls as other adapters do.
                String id = call.id() != null && !call.id().isBlank() ? call.id() : "call_" + (tool + 1);
                sink.accept(new ProviderEvent.ToolCallStart(tool, id, call.function().name()));
            }
            String arguments = call.function() == null ? null : call.function().arguments();
            if (arguments != null && !arguments.isEmpty()) {
                sink.accept(new ProviderEvent.ToolCallArguments(tool, arguments));
            }
        }
    }

    private static long count(Long value) {
        return value == null ? 0 : value;
    }

    private WatsonxWire.Chunk parse(String data) throws ProviderException {
        return WireJson.read(WatsonxWire.JSON, provider, data, WatsonxWire.Chunk.class);
    }
}
