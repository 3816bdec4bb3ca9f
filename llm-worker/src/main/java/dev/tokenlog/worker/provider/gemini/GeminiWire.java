package dev.tokenlog.worker.provider.gemini;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * Wire shapes of {@code generateContent} / {@code streamGenerateContent}
 * (https://ai.google.dev/api/generate-content; Vertex AI uses the same JSON). camelCase on the wire;
 * only the fields the adapter uses are declared, unknown ones (safetyRatings, thoughtSignature,
 * modelVersion, …) are ignored.
 */
final class GeminiWire {
    static final ObjectMapper JSON = JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private GeminiWire() {}

    // ---- request ----

    record Request(List<Content> contents, Content systemInstruction, GenerationConfig generationConfig,
                   List<ToolSet> tools) {}

    record GenerationConfig(Integer maxOutputTokens, Double temperature, Double topP, List<String> stopSequences,
                            ThinkingConfig thinkingConfig) {}

    record ThinkingConfig(int thinkingBudget, boolean includeThoughts) {}

    record ToolSet(List<FunctionDeclaration> functionDeclarations) {}

    record FunctionDeclaration(String name, String description, JsonNode parameters) {}

    record FunctionResponse(String name, JsonNode response) {}

    // ---- both directions ----

    /** {@code role} is user or model. */
    record Content(String role, List<Part> parts) {}

    /** One of text (a thought when {@code thought} is true), functionCall, functionResponse. */
    record Part(String text, Boolean thought, FunctionCall functionCall, FunctionResponse functionResponse) {
        static Part text(String text) {
            return new Part(text, null, null, null);
        }
    }

    /** {@code id} is set by newer models only; {@code args} is a JSON object. */
    record FunctionCall(String id, String name, JsonNode args) {}

    // ---- stream ----

    /** One {@code data:} payload of {@code ?alt=sse}: a GenerateContentResponse or an error. */
    record Chunk(List<Candidate> candidates, UsageMetadata usageMetadata, PromptFeedback promptFeedback, Error error) {}

    record Candidate(Content content, String finishReason) {}

    /** Cumulative counts: each chunk repeats the totals so far. */
    record UsageMetadata(Long promptTokenCount, Long candidatesTokenCount, Long cachedContentTokenCount,
                         Long thoughtsTokenCount) {}

    record PromptFeedback(String blockReason) {}

    record Error(Integer code, String status, String message) {}
}
