package dev.tokenlog.worker.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.worker.provider.ProviderException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pins the in-band error table: which errors on a 200 stream may be retried, and what the message says. */
class OpenAiErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} -> retryable {1}")
    @CsvSource(delimiter = '|', value = {
        "{'error':{'message':'m','type':'server_error','param':null,'code':null}}        | true  | m (type server_error)",
        "{'error':{'message':'m','type':'overloaded_error'}}                             | true  | m (type overloaded_error)",
        "{'error':{'message':'m','type':'tokens','code':'rate_limit_exceeded'}}          | true  | m (type tokens, code rate_limit_exceeded)",
        "{'error':{'message':'m','type':'invalid_request_error','code':'context_length_exceeded'}} | false | m (type invalid_request_error, code context_length_exceeded)",
        "{'error':{'object':'error','message':'m','type':'BadRequestError','code':400}}  | false | m (type BadRequestError, code 400)",
        "{'error':{'object':'error','message':'m','type':'InternalServerError','code':500}} | true | m (type InternalServerError, code 500)",
        "{'error':{'error':{'message':'m','type':'server_error'}}}                       | true  | m (type server_error)",
        "{'type':'error','code':'server_error','message':'m','param':null}              | true  | m (type error, code server_error)",
        "{'type':'error','error':{'type':'invalid_request_error','code':'invalid_prompt','message':'m'}} | false | m (type invalid_request_error, code invalid_prompt)",
        "{'code':'rate_limit_exceeded','message':'m'}                                    | true  | m (code rate_limit_exceeded)",
        "{'error':'m'}                                                                   | false | m",
        "{'error':{}}                                                                    | false | (no message)",
    })
    void mapsInBandErrors(String body, boolean retryable, String message) throws Exception {
        ProviderException e = OpenAiErrors.inBand("p", JSON.readTree(body.replace('\'', '"')));
        assertThat(e.code()).isEqualTo("PROVIDER_ERROR");
        assertThat(e.retryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).isEqualTo("p reported an error in the stream: " + message);
    }
}
