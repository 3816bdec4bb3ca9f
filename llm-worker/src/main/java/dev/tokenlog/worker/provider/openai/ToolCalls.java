package dev.tokenlog.worker.provider.openai;

import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The tool calls of one Chat Completions answer. OpenAI streams a call as a first fragment with
 * {@code index, id, function.name} and later fragments with only {@code index} and an arguments
 * piece, parallel calls interleaved by {@code index}; Mistral and Ollama send each call whole in one
 * fragment. Calls are numbered 0, 1, ... in order of appearance; the raw argument pieces are passed
 * on unparsed (they may split anywhere, even inside a JSON escape).
 *
 * <p>Tolerated deviations: a fragment without {@code index} takes its position in the list; a
 * fragment whose {@code id} differs from the call open at its {@code index} starts a new call (servers
 * that number every call 0); a call without {@code id} gets {@code call_<n>}; a call that never
 * received arguments gets {@code {}} so its arguments are valid JSON.
 */
final class ToolCalls {
    private static final class Call {
        final int index;
        final String id;
        boolean hasArguments;
        boolean ended;

        Call(int index, String id) {
            this.index = index;
            this.id = id;
        }
    }

    private final String provider;
    private final Consumer<ProviderEvent> sink;
    private final List<Call> calls = new ArrayList<>();
    private final Map<Integer, Call> byWireIndex = new HashMap<>();

    ToolCalls(String provider, Consumer<ProviderEvent> sink) {
        this.provider = provider;
        this.sink = sink;
    }

    /** One fragment, at {@code position} in its chunk's {@code tool_calls} list. */
    void fragment(ChatChunk.ToolCallDelta fragment, int position) throws ProviderException {
        int wireIndex = fragment.index() != null ? fragment.index() : position;
        String id = fragment.id() == null || fragment.id().isEmpty() ? null : fragment.id();
        String name = fragment.function() == null ? null : fragment.function().name();
        String arguments = fragment.function() == null ? null : fragment.function().arguments();
        Call call = byWireIndex.get(wireIndex);
        if (call == null || id != null && !id.equals(call.id)) {
            call = new Call(calls.size(), id != null ? id : "call_" + calls.size());
            calls.add(call);
            byWireIndex.put(wireIndex, call);
            sink.accept(new ProviderEvent.ToolCallStart(call.index, call.id, name == null ? "" : name));
        } else if (call.ended) {
            throw ProviderException.protocol(provider + " sent arguments for tool call " + call.id
                    + " after its finish_reason");
        }
        if (arguments != null && !arguments.isEmpty()) {
            call.hasArguments = true;
            sink.accept(new ProviderEvent.ToolCallArguments(call.index, arguments));
        }
    }

    /** Ends every open call, in index order. */
    void endAll() {
        for (Call call : calls) {
            if (!call.ended) {
                if (!call.hasArguments) {
                    sink.accept(new ProviderEvent.ToolCallArguments(call.index, "{}"));
                }
                call.ended = true;
                sink.accept(new ProviderEvent.ToolCallEnd(call.index));
            }
        }
    }

    /** Whether any call was made. */
    boolean any() {
        return !calls.isEmpty();
    }
}
