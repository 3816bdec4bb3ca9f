package dev.tokenlog.fanout.fold;

/**
 * One tool call of an attempt as folded so far.
 *
 * @param index     position among the answer's tool calls
 * @param id        call id; empty until its ToolCallStarted is seen
 * @param name      function name; empty until its ToolCallStarted is seen
 * @param arguments concatenated argument deltas (JSON only once complete)
 * @param finished  whether ToolCallFinished was seen
 */
public record ToolCallState(int index, String id, String name, String arguments, boolean finished) {

    static ToolCallState empty(int index) {
        return new ToolCallState(index, "", "", "", false);
    }

    ToolCallState named(String id, String name) {
        return new ToolCallState(index, id, name, arguments, finished);
    }

    ToolCallState append(String argumentsDelta) {
        return new ToolCallState(index, id, name, arguments + argumentsDelta, finished);
    }

    ToolCallState finish() {
        return new ToolCallState(index, id, name, arguments, true);
    }
}
