package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One {@code data:} chunk of a Chat Completions stream (platform.openai.com/docs/api-reference/chat-streaming),
 * with the fields the OpenAI-compatible family adds. Every field may be absent or null.
 *
 * @param usage  OpenAI's {@code stream_options.include_usage} chunk (with {@code choices: []}), or vLLM's
 *               usage on every chunk
 * @param xGroq  Groq's extension object, which carries {@code usage} on the last chunk
 * @param error  an in-band error ({@code {"error":{message,type,code}}})
 */
record ChatChunk(List<Choice> choices, Usage usage, XGroq xGroq, JsonNode error) {

    /** {@code finish_reason} is null or (older Ollama) empty until the last chunk of the choice. */
    record Choice(int index, Delta delta, String finishReason) {}

    /**
     * @param content          a string; Mistral's reasoning models send a list of {@code text} and
     *                         {@code thinking} parts instead
     * @param reasoningContent DeepSeek and xAI reasoning text
     * @param reasoning        Ollama {@code /v1} (and OpenRouter) reasoning text
     */
    record Delta(JsonNode content, String refusal, String reasoningContent, String reasoning,
                 List<ToolCallDelta> toolCalls) {}

    /** A fragment of a tool call: the first has {@code id} and {@code function.name}, later ones an arguments piece. */
    record ToolCallDelta(Integer index, String id, FunctionDelta function) {}

    record FunctionDelta(String name, String arguments) {}

    /** Token counts; DeepSeek reports cache hits as {@code prompt_cache_hit_tokens}. */
    record Usage(long promptTokens, long completionTokens, Details promptTokensDetails,
                 Details completionTokensDetails, long promptCacheHitTokens) {

        long cached() {
            return promptTokensDetails != null && promptTokensDetails.cachedTokens() > 0
                    ? promptTokensDetails.cachedTokens() : promptCacheHitTokens;
        }

        long reasoning() {
            return completionTokensDetails == null ? 0 : completionTokensDetails.reasoningTokens();
        }
    }

    record Details(long cachedTokens, long reasoningTokens) {}

    record XGroq(Usage usage) {}
}
