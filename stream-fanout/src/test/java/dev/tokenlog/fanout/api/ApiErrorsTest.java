package dev.tokenlog.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bodies Jackson cannot read are described to clients in JSON terms, never with the gateway's Java classes. */
class ApiErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[1,2]                                   | START_ARRAY",
        "{\"max_tokens\":\"x\"}                    | `integer`",
        "{\"messages\":{}}                         | `array<object>`",
        "{\"model\":                              | end-of-input"})
    void malformedBodiesNameTheProblemWithoutJavaClasses(String body, String says) {
        JsonProcessingException e = catchThrowableOfType(JsonProcessingException.class,
                () -> JSON.readValue(body, CreateStream.class));
        String message = ApiErrors.malformed(e).getMessage();
        assertThat(message).contains(says).doesNotContain("dev.tokenlog").doesNotContain("java.")
                .doesNotContain("CreateStream");
    }
}
