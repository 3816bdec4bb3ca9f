package dev.tokenlog.worker.provider.anthropic;

import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.SseEvent;
import dev.tokenlog.worker.provider.http.Secrets;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Folds one Messages stream into normalised events, following
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming: {@code message_start} →
 * {@code content_block_start/delta/stop}* → {@code message_delta} → {@code message_stop}; {@code ping}
 * anywhere and event types not listed there are ignored. One instance per call.
 */
final class AnthropicStreamMapper {
    private static final Set<String> HANDLED = Set.of("message_start", "content_block_start", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop", "error");
    /** The SSE event type of an event without an {@code event:} field. */
    private static final String UNNAMED = "message";

    private final String provider;
    private final Secrets secrets;
    private final Consumer<ProviderEvent> sink;
    /** Anthropic's block index counts every block; tool calls are numbered 0, 1, … among tool_use blocks. */
    private final Map<Integer, Integer> toolByBlock = new HashMap<>();
    private int tools;
    private long inputTokens;
    private long cacheRead;
    private long cacheCreation;
    private long outputTokens;
    private boolean usageSeen;
    private String stopReason;
    private boolean finished;

    AnthropicStreamMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.secrets = secrets;
        this.sink = sink;
    }

    /** Whether {@code message_stop} arrived (and Finished was reported). */
    boolean finished() {
        return finished;
    }

    void on(SseEvent sse) throws ProviderException {
        // ping and event types added after this adapter was written are skipped before parsing.
        if (finished || sse.data().isEmpty() || !(HANDLED.contains(sse.event()) || UNNAMED.equals(sse.event()))) {
            return;
        }
        AnthropicWire.Event event = parse(sse.data());
        // Anthropic names every event; the data's own type is the fallback for an unnamed one.
        String type = UNNAMED.equals(sse.event()) ? String.valueOf(event.type()) : sse.event();
        switch (type) {
            case "message_start" -> usage(event.message() == null ? null : event.message().usage());
            case "content_block_start" -> blockStart(index(event), event.contentBlock());
            case "content_block_delta" -> delta(index(event), event.delta());
            case "content_block_stop" -> {
                Integer tool = toolByBlock.remove(index(event));
                if (tool != null) {
                    sink.accept(new ProviderEvent.ToolCallEnd(tool));
                }
            }
            case "message_delta" -> {
                if (event.delta() != null && event.delta().stopReason() != null) {
                    stopReason = event.delta().stopReason();
                }
                usage(event.usage());
            }
            case "message_stop" -> finish();
            case "error" -> throw AnthropicErrors.inBand(provider, event.error(), secrets);
            default -> { } // ping or a new type in an unnamed event: ignore (versioning policy)
        }
    }

    private void blockStart(int index, AnthropicWire.Block block) throws ProviderException {
        if (block == null) {
            throw ProviderException.protocol(provider + " sent content_block_start without content_block");
        }
        switch (String.valueOf(block.type())) {
            case "text" -> text(block.text());
            case "thinking" -> reasoning(block.thinking());
            case "tool_use" -> {
                // The start block carries a placeholder "input": {}; the arguments follow as input_json_delta.
                int tool = tools++;
                toolByBlock.put(index, tool);
                // Id and name are required downstream (ChunkRecord): a block without them still starts a call.
                sink.accept(new ProviderEvent.ToolCallStart(tool, block.id() == null ? "call_" + (tool + 1) : block.id(),
                        block.name() == null ? "" : block.name()));
            }
            default -> { } // redacted_thinking, server_tool_use, …: nothing to stream
        }
    }

    private void delta(int index, AnthropicWire.Delta delta) {
        if (delta == null) {
            return;
        }
        switch (String.valueOf(delta.type())) {
            case "text_delta" -> text(delta.text());
            case "thinking_delta" -> reasoning(delta.thinking());
            case "input_json_delta" -> {
                Integer tool = toolByBlock.get(index);
                // The first fragment is often empty: an empty piece says nothing.
                if (tool != null && delta.partialJson() != null && !delta.partialJson().isEmpty()) {
                    sink.accept(new ProviderEvent.ToolCallArguments(tool, delta.partialJson()));
                }
            }
            default -> { } // signature_delta, citations_delta: not part of the normalised stream
        }
    }

    /** Usage is cumulative (message_start, then message_delta): each reported count replaces the last. */
    private void usage(AnthropicWire.Usage usage) {
        if (usage == null) {
            return;
        }
        usageSeen = true;
        inputTokens = usage.inputTokens() != null ? usage.inputTokens() : inputTokens;
        cacheRead = usage.cacheReadInputTokens() != null ? usage.cacheReadInputTokens() : cacheRead;
        cacheCreation = usage.cacheCreationInputTokens() != null ? usage.cacheCreationInputTokens() : cacheCreation;
        outputTokens = usage.outputTokens() != null ? usage.outputTokens() : outputTokens;
    }

    private void finish() {
        if (usageSeen) {
            // input_tokens excludes cache reads and writes; the normalised input is the whole prompt.
            sink.accept(new ProviderEvent.Usage(inputTokens + cacheRead + cacheCreation, outputTokens, cacheRead, 0));
        }
        sink.accept(new ProviderEvent.Finished(AnthropicErrors.finishReason(stopReason), stopReason));
        finished = true;
    }

    private void text(String text) {
        if (text != null && !text.isEmpty()) {
            sink.accept(new ProviderEvent.Text(text));
        }
    }

    private void reasoning(String text) {
        if (text != null && !text.isEmpty()) {
            sink.accept(new ProviderEvent.Reasoning(text));
        }
    }

    private int index(AnthropicWire.Event event) throws ProviderException {
        if (event.index() == null) {
            throw ProviderException.protocol(provider + " sent " + event.type() + " without a block index");
        }
        return event.index();
    }

    private AnthropicWire.Event parse(String data) throws ProviderException {
        return WireJson.read(AnthropicWire.JSON, provider, data, AnthropicWire.Event.class);
    }
}
