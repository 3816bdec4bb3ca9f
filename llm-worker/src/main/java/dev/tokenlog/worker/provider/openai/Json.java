package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.http.WireJson;

/**
 * The wire JSON of the OpenAI family: snake_case field names onto the package's DTO records, unknown
 * fields ignored (providers add fields such as {@code obfuscation}, {@code citations}, {@code x_groq}
 * freely; read through {@link WireJson}).
 */
final class Json {
    static final ObjectMapper MAPPER = WireJson.snakeCaseMapper();

    private Json() {}

    /** Parses one event's data into {@code type}; text that is not such JSON is a protocol error. */
    static <T> T parse(String provider, String data, Class<T> type) throws ProviderException {
        return WireJson.read(MAPPER, provider, data, type);
    }

    /** The text of a node that may be a string or absent. */
    static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
