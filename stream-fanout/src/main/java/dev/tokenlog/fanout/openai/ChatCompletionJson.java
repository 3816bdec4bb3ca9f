package dev.tokenlog.fanout.openai;

import static dev.tokenlog.fanout.openai.OpenAiWire.ordered;

import dev.tokenlog.avro.FinalAnswer;
import java.util.List;
import java.util.Map;

/** A completed request's final answer as OpenAI's {@code chat.completion} object. */
final class ChatCompletionJson {
    private ChatCompletionJson() {}

    static Map<String, Object> of(FinalAnswer answer) {
        boolean calls = !answer.getToolCalls().isEmpty();
        Map<String, Object> message = ordered("role", "assistant",
                "content", calls && answer.getText().isEmpty() ? null : answer.getText(), "refusal", null);
        if (!answer.getReasoning().isEmpty()) {
            message.put("reasoning_content", answer.getReasoning());
        }
        if (calls) {
            message.put("tool_calls", answer.getToolCalls().stream().map(call -> ordered("id", call.getId(),
                    "type", "function", "function", ordered("name", call.getName(), "arguments", call.getArguments())))
                    .toList());
        }
        String model = OpenAiWire.model(answer.getProvider(), answer.getModel());
        Map<String, Object> json = ordered(
                "id", OpenAiWire.completionId(answer.getRequestId()),
                "object", "chat.completion",
                "created", OpenAiWire.created(answer.getRequestId()),
                "model", model == null ? "" : model,
                "choices", List.of(ordered("index", 0, "message", message, "logprobs", null,
                        "finish_reason", OpenAiWire.finishReason(answer.getFinishReason()))));
        if (answer.getUsage() != null) {
            json.put("usage", OpenAiWire.usage(answer.getUsage()));
        }
        return json;
    }
}
