package dev.tokenlog.fanout.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.fanout.api.CreateStream;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /v1/chat/completions}, OpenAI's Chat Completions request. Messages and tools
 * have the shapes of {@code POST /v1/streams}. {@code fallbacks} and {@code deadline_ms} are tokenlog
 * extensions. Fields not listed here (e.g. {@code user}, {@code seed}, {@code presence_penalty}) are
 * accepted and ignored; the options that would change the shape of the answer are listed so that
 * {@link ChatRequestMapper} can refuse them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
        String model,
        List<String> fallbacks,
        List<CreateStream.ChatMessage> messages,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        JsonNode stop,
        List<CreateStream.Tool> tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        Map<String, String> metadata,
        Integer n,
        Boolean logprobs,
        @JsonProperty("top_logprobs") Integer topLogprobs,
        @JsonProperty("response_format") JsonNode responseFormat,
        List<String> modalities,
        JsonNode audio,
        @JsonProperty("deadline_ms") Long deadlineMs) {

    /** {@code include_usage}: send a last chunk with the usage before {@code [DONE]}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}

    boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }
}
