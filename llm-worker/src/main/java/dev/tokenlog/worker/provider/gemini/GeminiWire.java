package dev.tokenlog.worker.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.List;

/**
 * Wire shapes of {@code generateContent} / {@code streamGenerateContent}
 * (https://ai.google.dev/api/generate-content; Vertex AI uses the same JSON). camelCase on the wire;
 * only the fields the adapter uses are declared, unknown ones (safetyRatings, thoughtSignature,
 * modelVersion, …) are ignored.
 */
final class GeminiWire {
    static final ObjectMapper JSON = WireJson.mapper();

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

    /**
     * One of text (a thought when {@code thought} is true), inlineData, fileData, functionCall,
     * functionResponse.
     */
    record Part(String text, Boolean thought, Blob inlineData, FileData fileData, FunctionCall functionCall,
                FunctionResponse functionResponse) {
        static Part text(String text) {
            return new Part(text, null, null, null, null, null);
        }

        static Part inlineData(String mimeType, String base64) {
            return new Part(null, null, new Blob(mimeType, base64), null, null, null);
        }

        static Part fileData(String mimeType, String fileUri) {
            return new Part(null, null, null, new FileData(mimeType, fileUri), null, null);
        }

        static Part functionCall(String name, JsonNode args) {
            return new Part(null, null, null, null, new FunctionCall(null, name, args), null);
        }

        static Part functionResponse(String name, JsonNode response) {
            return new Part(null, null, null, null, null, new FunctionResponse(name, response));
        }
    }

    /** Inline bytes: {@code data} is base64. */
    record Blob(String mimeType, String data) {}

    /** A file by URI (https, gs:// or a Files API URI); Gemini needs its {@code mimeType}. */
    record FileData(String mimeType, String fileUri) {}

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
