package dev.tokenlog.fanout.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.fanout.api.ApiErrors;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.api.CreateStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a Chat Completions body and turns it into the native {@link CreateStream}, which {@code RequestFactory}
 * then validates like any {@code POST /v1/streams}: model aliases are resolved, {@code stop} may be a
 * string, {@code max_completion_tokens} is {@code max_tokens}, {@code tool_choice: "none"} sends no
 * tools. Options that would change the shape of the answer and that no provider adapter forwards
 * ({@code n > 1}, log probabilities, JSON response formats, audio, forced tool choice) are refused
 * with a 400 rather than silently ignored.
 */
final class ChatRequestMapper {
    /** OpenAI's limit on stop sequences. */
    static final int MAX_STOP = 4;

    /** Unknown fields are ignored at every level, as OpenAI's SDKs send fields tokenlog has no use for (e.g. {@code refusal}). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ChatRequestMapper() {}

    /** The body as a request; a malformed one is a 400 naming the JSON path where it went wrong. */
    static ChatCompletionRequest parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("request body is required: {\"model\":\"mock/echo\",\"messages\":[...]}");
        }
        try {
            return JSON.readValue(body, ChatCompletionRequest.class);
        } catch (JsonMappingException e) {
            String path = ApiErrors.jsonPath(e);
            throw new ApiException(400, "malformed_json", (path.isEmpty() ? "request body" : path)
                    + " does not match OpenAI's Chat Completions request: " + ApiErrors.jacksonText(e));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed_json", "request body is not valid JSON: " + ApiErrors.jacksonText(e));
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array failed", e);
        }
    }

    static CreateStream map(ChatCompletionRequest body, ModelAliases aliases) {
        if (body == null) {
            throw ApiException.badRequest("request body is required: {\"model\":\"mock/echo\",\"messages\":[...]}");
        }
        refuseUnsupported(body);
        List<String> fallbacks = null;
        if (body.fallbacks() != null) {
            fallbacks = new ArrayList<>(body.fallbacks().size());
            for (int i = 0; i < body.fallbacks().size(); i++) {
                fallbacks.add(aliases.resolve("fallbacks[" + i + "]", body.fallbacks().get(i)));
            }
        }
        return new CreateStream(aliases.resolve("model", body.model()), fallbacks, body.messages(), maxTokens(body),
                body.temperature(), body.topP(), stop(body.stop()), body.metadata(), body.deadlineMs(),
                tools(body.toolChoice(), body.tools()));
    }

    private static void refuseUnsupported(ChatCompletionRequest body) {
        if (body.n() != null && body.n() != 1) {
            throw unsupported("n must be 1: tokenlog generates one choice per request");
        }
        if (Boolean.TRUE.equals(body.logprobs()) || (body.topLogprobs() != null && body.topLogprobs() > 0)) {
            throw unsupported("logprobs is not supported: the providers' token log probabilities are not kept");
        }
        JsonNode format = body.responseFormat();
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw unsupported("response_format type '" + format.path("type").asText() + "' is not supported: only"
                    + " text is; ask for JSON in the prompt instead");
        }
        if (body.modalities() != null && body.modalities().stream().anyMatch(m -> !"text".equals(m))) {
            throw unsupported("modalities " + body.modalities() + " is not supported: only text output is");
        }
        if (body.audio() != null && !body.audio().isNull()) {
            throw unsupported("audio is not supported: only text output is");
        }
    }

    private static Integer maxTokens(ChatCompletionRequest body) {
        if (body.maxTokens() != null && body.maxCompletionTokens() != null
                && !Objects.equals(body.maxTokens(), body.maxCompletionTokens())) {
            throw ApiException.badRequest("max_tokens (" + body.maxTokens() + ") and max_completion_tokens ("
                    + body.maxCompletionTokens() + ") differ; set only one");
        }
        return body.maxCompletionTokens() != null ? body.maxCompletionTokens() : body.maxTokens();
    }

    /** A string, or an array of up to {@value #MAX_STOP} strings. */
    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray() || stop.size() > MAX_STOP) {
            throw ApiException.badRequest("stop must be a string or an array of at most " + MAX_STOP + " strings");
        }
        List<String> out = new ArrayList<>(stop.size());
        for (int i = 0; i < stop.size(); i++) {
            if (!stop.get(i).isTextual()) {
                throw ApiException.badRequest("stop[" + i + "] must be a string");
            }
            out.add(stop.get(i).asText());
        }
        return out;
    }

    /** {@code auto} (the default) sends the tools; {@code none} sends none; forcing a call is not supported. */
    private static List<CreateStream.Tool> tools(JsonNode choice, List<CreateStream.Tool> tools) {
        String named = choice != null && choice.isTextual() ? choice.asText() : null;
        if (choice == null || choice.isNull() || "auto".equals(named)) {
            return tools;
        }
        if ("none".equals(named)) {
            return List.of();
        }
        throw unsupported("tool_choice " + choice + " is not supported: use \"auto\" (the default) or \"none\"");
    }

    private static ApiException unsupported(String message) {
        return new ApiException(400, "unsupported_parameter", message);
    }
}
