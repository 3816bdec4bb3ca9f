package dev.tokenlog.worker.provider.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.http.WireJson;
import java.util.List;

/**
 * Wire shapes of Ollama's native chat endpoint (https://github.com/ollama/ollama/blob/main/docs/api.md,
 * "Generate a chat completion"), snake_case on the wire; unknown fields (durations, created_at, …)
 * are ignored.
 */
final class OllamaWire {
    static final ObjectMapper JSON = WireJson.snakeCaseMapper();

    private OllamaWire() {}

    // ---- request ----

    /** {@code think} is a boolean, or a level ("low", "medium", "high") for models that take one. */
    record Request(String model, List<ChatMessage> messages, boolean stream, Options options, List<Tool> tools,
                   Object think) {}

    /**
     * {@code images} are base64 strings (no URLs); {@code toolCalls} are an assistant's earlier calls;
     * {@code toolName} names the function a role=tool message answers.
     */
    record ChatMessage(String role, String content, List<String> images, List<ToolCall> toolCalls, String toolName) {}

    record Options(Integer numPredict, Double temperature, Double topP, List<String> stop) {}

    record Tool(String type, Function function) {}

    record Function(String name, String description, JsonNode parameters) {}

    // ---- stream ----

    /** One NDJSON line: a message piece, the final {@code done: true} line, or {@code {"error": "…"}}. */
    record Line(Delta message, Boolean done, String doneReason, Long promptEvalCount, Long evalCount, JsonNode error) {}

    record Delta(String content, String thinking, List<ToolCall> toolCalls) {}

    /**
     * {@code id} is sent by recent versions only; {@code function.arguments} is a JSON object. Also
     * the shape of an assistant's earlier call in a request.
     */
    record ToolCall(String id, CalledFunction function) {}

    record CalledFunction(String name, JsonNode arguments) {}
}
