package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.SseEvent;
import dev.tokenlog.worker.provider.http.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Maps a Responses API stream to {@link ProviderEvent}s by event {@code type}. Terminals are
 * {@code response.completed}, {@code response.incomplete} and {@code response.failed} (there is no
 * {@code [DONE]}); an {@code error} event ends the stream at once, whether or not
 * {@code response.failed} follows. Lifecycle events ({@code response.created},
 * {@code response.content_part.*}, {@code *.done} duplicates of the deltas) and unknown types are
 * ignored. Function calls are numbered 0, 1, ... in order of appearance (output indexes also count
 * messages and reasoning items) and carry their {@code call_id}; a refusal is reported as text.
 */
final class ResponsesStreamMapper extends SseMapper {
    /** A function call, found again by its item id or output index. */
    private static final class Call {
        final int index;
        final String itemId;
        final Integer outputIndex;
        boolean hasArguments;
        boolean ended;

        Call(int index, String itemId, Integer outputIndex) {
            this.index = index;
            this.itemId = itemId;
            this.outputIndex = outputIndex;
        }

        boolean is(String id, Integer output) {
            return id != null ? id.equals(itemId) : output != null && output.equals(outputIndex);
        }
    }

    private final List<Call> calls = new ArrayList<>();

    ResponsesStreamMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        super(provider, secrets, sink);
    }

    @Override
    protected void onEvent(SseEvent event) throws ProviderException {
        String data = event.data().strip();
        if (data.isEmpty()) {
            return;
        }
        ResponsesEvent e = Json.parse(provider, data, ResponsesEvent.class);
        String type = e.type() != null ? e.type() : event.event();
        switch (type) {
            case "response.output_text.delta", "response.refusal.delta" -> {
                if (hasText(e.delta())) {
                    sink.accept(new ProviderEvent.Text(e.delta()));
                }
            }
            // summaries of OpenAI reasoning models; full reasoning text of open-weight models (gpt-oss)
            case "response.reasoning_summary_text.delta", "response.reasoning_text.delta" -> {
                if (hasText(e.delta())) {
                    sink.accept(new ProviderEvent.Reasoning(e.delta()));
                }
            }
            case "response.output_item.added" -> itemAdded(e);
            case "response.function_call_arguments.delta" -> arguments(open(e.itemId(), e.outputIndex()), e.delta());
            case "response.output_item.done" -> itemDone(e);
            case "response.completed" -> finish(e.response(), calls.isEmpty() ? FinishReason.STOP
                    : FinishReason.TOOL_CALLS, "completed");
            case "response.incomplete" -> incomplete(e.response());
            case "response.failed" -> throw OpenAiErrors.inBand(provider, failure(e.response()));
            case "error" -> throw OpenAiErrors.inBand(provider, Json.parse(provider, data, JsonNode.class));
            default -> { } // lifecycle and future event types
        }
    }

    @Override
    protected void onEndOfBody(boolean cut) throws ProviderException {
        throw new ProviderException("TRUNCATED", provider + "'s stream ended without response.completed, "
                + "response.incomplete or response.failed" + (cut ? " (in the middle of an event)" : ""), true);
    }

    private void itemAdded(ResponsesEvent e) {
        if (isFunctionCall(e.item())) {
            start(e.item(), e.outputIndex());
        }
    }

    /** The item is complete: a call whose arguments came only here (no deltas) gets them now. */
    private void itemDone(ResponsesEvent e) {
        if (!isFunctionCall(e.item())) {
            return;
        }
        Call call = find(e.item().id(), e.outputIndex());
        if (call == null) {
            call = start(e.item(), e.outputIndex()); // announced only when done
        } else if (!call.hasArguments) {
            arguments(call, e.item().arguments());
        }
        endCall(call);
    }

    private Call start(ResponsesEvent.Item item, Integer outputIndex) {
        Call call = new Call(calls.size(), item.id(), outputIndex);
        calls.add(call);
        String id = item.callId() != null ? item.callId() : item.id() != null ? item.id() : "call_" + call.index;
        sink.accept(new ProviderEvent.ToolCallStart(call.index, id, item.name() == null ? "" : item.name()));
        arguments(call, item.arguments());
        return call;
    }

    private void arguments(Call call, String piece) {
        if (hasText(piece)) {
            call.hasArguments = true;
            sink.accept(new ProviderEvent.ToolCallArguments(call.index, piece));
        }
    }

    private void endCall(Call call) {
        if (!call.ended) {
            if (!call.hasArguments) {
                sink.accept(new ProviderEvent.ToolCallArguments(call.index, "{}"));
            }
            call.ended = true;
            sink.accept(new ProviderEvent.ToolCallEnd(call.index));
        }
    }

    /** The open call an arguments delta belongs to. */
    private Call open(String itemId, Integer outputIndex) throws ProviderException {
        Call call = find(itemId, outputIndex);
        if (call == null || call.ended) {
            throw ProviderException.protocol(provider + " sent function call arguments for item " + itemId
                    + (call == null ? " that was never announced" : " after it was done"));
        }
        return call;
    }

    private Call find(String itemId, Integer outputIndex) {
        for (Call call : calls) {
            if (call.is(itemId, outputIndex)) {
                return call;
            }
        }
        return null;
    }

    private void incomplete(ResponsesEvent.Response response) {
        String reason = response == null || response.incompleteDetails() == null ? null
                : response.incompleteDetails().reason();
        FinishReason normalised = switch (reason == null ? "" : reason) {
            case "max_output_tokens" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
        finish(response, normalised, reason);
    }

    private void finish(ResponsesEvent.Response response, FinishReason reason, String raw) {
        calls.forEach(this::endCall);
        ResponsesEvent.Usage usage = response == null ? null : response.usage();
        if (usage != null) {
            sink.accept(new ProviderEvent.Usage(usage.inputTokens(), usage.outputTokens(),
                    usage.inputTokensDetails() == null ? 0 : usage.inputTokensDetails().cachedTokens(),
                    usage.outputTokensDetails() == null ? 0 : usage.outputTokensDetails().reasoningTokens()));
        }
        sink.accept(new ProviderEvent.Finished(reason, raw));
        end();
    }

    private static JsonNode failure(ResponsesEvent.Response response) {
        return response == null || response.error() == null || response.error().isNull()
                ? TextNode.valueOf("response.failed without error details") : response.error();
    }

    private static boolean hasText(String text) {
        return text != null && !text.isEmpty();
    }

    private static boolean isFunctionCall(ResponsesEvent.Item item) {
        return item != null && "function_call".equals(item.type());
    }
}
