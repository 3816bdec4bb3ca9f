package dev.tokenlog.worker.provider.bedrock;

import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;

/**
 * Folds one ConverseStream into normalised events
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html):
 * {@code messageStart} → {@code contentBlockStart} (tool use only) / {@code contentBlockDelta} /
 * {@code contentBlockStop}* → {@code messageStop{stopReason}} → {@code metadata{usage}}. Usage
 * arrives after the stop, so Finished is reported after {@code metadata}, or at the end of a stream
 * that had {@code messageStop} but no metadata. One instance per call.
 */
final class BedrockStreamMapper {
    private final String provider;
    private final Consumer<ProviderEvent> sink;
    /** Bedrock's block index counts every block; tool calls are numbered 0, 1, … among toolUse blocks. */
    private final Map<Integer, Integer> toolByBlock = new HashMap<>();
    private int tools;
    private String stopReason;
    private boolean stopped;
    private boolean finished;

    BedrockStreamMapper(String provider, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.sink = sink;
    }

    /** Whether Finished was reported. */
    boolean finished() {
        return finished;
    }

    void on(ConverseStreamOutput event) throws ProviderException {
        if (finished) {
            return;
        }
        switch (event) {
            case ContentBlockStartEvent start when start.start() != null && start.start().toolUse() != null -> {
                int tool = tools++;
                toolByBlock.put(index(start.contentBlockIndex()), tool);
                // Id and name are required downstream (ChunkRecord): a start without them still starts a call.
                String id = start.start().toolUse().toolUseId();
                String name = start.start().toolUse().name();
                sink.accept(new ProviderEvent.ToolCallStart(tool, id == null ? "call_" + (tool + 1) : id,
                        name == null ? "" : name));
            }
            case ContentBlockDeltaEvent delta -> delta(index(delta.contentBlockIndex()), delta.delta());
            case ContentBlockStopEvent stop -> {
                Integer tool = toolByBlock.remove(index(stop.contentBlockIndex()));
                if (tool != null) {
                    sink.accept(new ProviderEvent.ToolCallEnd(tool));
                }
            }
            case MessageStopEvent stop -> {
                stopReason = stop.stopReasonAsString();
                stopped = true;
            }
            case ConverseStreamMetadataEvent metadata -> {
                usage(metadata.usage());
                if (stopped) {
                    finish();
                }
            }
            default -> { } // messageStart, and event types added after this adapter was written
        }
    }

    /**
     * The event stream ended.
     *
     * @throws ProviderException TRUNCATED when {@code messageStop} never arrived
     */
    void end() throws ProviderException {
        if (!stopped) {
            throw new ProviderException("TRUNCATED", provider + " closed the stream before messageStop", true);
        }
        if (!finished) {
            finish();
        }
    }

    private void delta(int index, ContentBlockDelta delta) {
        if (delta == null) {
            return;
        }
        if (delta.text() != null && !delta.text().isEmpty()) {
            sink.accept(new ProviderEvent.Text(delta.text()));
        } else if (delta.toolUse() != null) {
            Integer tool = toolByBlock.get(index);
            String input = delta.toolUse().input();
            if (tool != null && input != null && !input.isEmpty()) {
                sink.accept(new ProviderEvent.ToolCallArguments(tool, input));
            }
        } else if (delta.reasoningContent() != null) {
            // signature and redactedContent carry nothing readable: only the text is streamed.
            String text = delta.reasoningContent().text();
            if (text != null && !text.isEmpty()) {
                sink.accept(new ProviderEvent.Reasoning(text));
            }
        }
    }

    /**
     * Reported at once, before Finished. inputTokens excludes prompt-cache reads and writes
     * (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html); the normalised input
     * is the whole prompt.
     */
    private void usage(TokenUsage usage) {
        if (usage == null) {
            return;
        }
        long cacheRead = orZero(usage.cacheReadInputTokens());
        long input = orZero(usage.inputTokens()) + cacheRead + orZero(usage.cacheWriteInputTokens());
        sink.accept(new ProviderEvent.Usage(input, orZero(usage.outputTokens()), cacheRead, 0));
    }

    private void finish() {
        sink.accept(new ProviderEvent.Finished(BedrockErrors.finishReason(stopReason), stopReason));
        finished = true;
    }

    private int index(Integer index) throws ProviderException {
        if (index == null) {
            throw ProviderException.protocol(provider + " sent a content block event without contentBlockIndex");
        }
        return index;
    }

    private static long orZero(Integer n) {
        return n == null ? 0 : n;
    }
}
