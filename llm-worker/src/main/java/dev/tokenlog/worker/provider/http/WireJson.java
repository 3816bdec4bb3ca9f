package dev.tokenlog.worker.provider.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tokenlog.worker.provider.ProviderException;

/**
 * How every adapter reads a provider's stream events into its wire records. Providers add fields
 * freely, so unknown fields are ignored; a JSON {@code null} inside a list ({@code "choices":[null]},
 * found by fuzzing) is dropped, so a record's lists never hold null; and an event that is not JSON of
 * the expected shape, or is JSON {@code null} itself, is a protocol error, never an exception that
 * escapes the adapter.
 */
public final class WireJson {
    private static final int QUOTED_CHARS = 200;

    private WireJson() {}

    /** A mapper for wire records whose fields are the JSON names as they are (camelCase for Gemini). */
    public static ObjectMapper mapper() {
        return builder().build();
    }

    /** A mapper for wire records whose JSON names are snake_case (OpenAI, Anthropic, Ollama, watsonx). */
    public static ObjectMapper snakeCaseMapper() {
        return builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    }

    /** Parses one event's {@code data} into {@code type}, or throws the protocol error naming why. */
    public static <T> T read(ObjectMapper mapper, String provider, String data, Class<T> type) throws ProviderException {
        T value;
        try {
            value = mapper.readValue(data, type);
        } catch (JsonProcessingException e) {
            throw ProviderException.protocol(provider + " sent a stream event that is not the expected JSON ("
                    + e.getOriginalMessage() + "): " + quote(data));
        }
        if (value == null) {
            throw ProviderException.protocol(provider + " sent the JSON value null as a stream event");
        }
        return value;
    }

    /** The start of {@code data} for an error message. */
    private static String quote(String data) {
        return data.length() <= QUOTED_CHARS ? data : data.substring(0, QUOTED_CHARS) + "…";
    }

    private static JsonMapper.Builder builder() {
        return JsonMapper.builder()
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.SKIP));
    }
}
