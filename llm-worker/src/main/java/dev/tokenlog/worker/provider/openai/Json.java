package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tokenlog.worker.provider.ProviderException;

/**
 * The wire JSON of the OpenAI family: snake_case field names onto the package's DTO records, unknown
 * fields ignored (providers add fields such as {@code obfuscation}, {@code citations}, {@code x_groq}
 * freely).
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int QUOTED_CHARS = 200;

    private Json() {}

    /** Parses one event's data into {@code type}; text that is not such JSON is a protocol error. */
    static <T> T parse(String provider, String data, Class<T> type) throws ProviderException {
        try {
            T value = MAPPER.readValue(data, type);
            if (value == null) {
                throw ProviderException.protocol(provider + " sent the JSON value null as a stream event");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ProviderException.protocol(provider + " sent a stream event that is not the expected JSON ("
                    + e.getOriginalMessage() + "): " + quote(data));
        }
    }

    /** The text of a node that may be a string or absent. */
    static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    /** The start of {@code data} for an error message. */
    static String quote(String data) {
        return data.length() <= QUOTED_CHARS ? data : data.substring(0, QUOTED_CHARS) + "…";
    }
}
