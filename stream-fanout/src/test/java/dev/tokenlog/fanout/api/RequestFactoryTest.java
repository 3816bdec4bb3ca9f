package dev.tokenlog.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.PartType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How {@code POST /v1/streams} messages map onto the Avro request, and what is refused with which 400. */
class RequestFactoryTest {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, -1};
    private static final String PNG_URL = "data:image/png;base64," + Base64.getEncoder().encodeToString(PNG);

    @Test
    void stringContentStaysContentWithoutParts() throws Exception {
        Message m = only("{'role':'user','content':'hello','name':'alice'}");
        assertThat(m.getContent()).isEqualTo("hello");
        assertThat(m.getName()).isEqualTo("alice");
        assertThat(m.getParts()).isEmpty();
        assertThat(m.getToolCalls()).isEmpty();
    }

    @Test
    void arrayContentBecomesPartsInOrderAndContentIsTheirText() throws Exception {
        Message m = only("{'role':'user','content':[{'type':'text','text':'What is this?'},"
                + "{'type':'image_url','image_url':{'url':'https://example.org/cat.jpg','detail':'low'}},"
                + "{'type':'image_url','image_url':{'url':'" + PNG_URL + "'}},{'type':'text','text':'Be brief.'}]}");

        assertThat(m.getContent()).isEqualTo("What is this?\nBe brief.");
        assertThat(m.getParts()).extracting(ContentPart::getType)
                .containsExactly(PartType.TEXT, PartType.IMAGE, PartType.IMAGE, PartType.TEXT);
        ContentPart remote = m.getParts().get(1);
        assertThat(remote.getImageUrl()).isEqualTo("https://example.org/cat.jpg");
        assertThat(remote.getMediaType()).isNull();
        assertThat(remote.getData()).isNull();
        ContentPart inline = m.getParts().get(2);
        assertThat(inline.getImageUrl()).as("the data: URL is decoded, not kept").isNull();
        assertThat(inline.getMediaType()).isEqualTo("image/png");
        assertThat(bytes(inline.getData())).containsExactly(PNG);
    }

    @Test
    void dataUrlMediaTypeIsNormalisedAndParametersBeforeBase64AreAllowed() throws Exception {
        ContentPart part = only("{'role':'user','content':[{'type':'image_url','image_url':{'url':'DATA:Image/JPEG;name=a.jpg;base64,"
                + Base64.getEncoder().encodeToString(PNG) + "'}}]}").getParts().get(0);
        assertThat(part.getMediaType()).isEqualTo("image/jpeg");
        assertThat(bytes(part.getData())).containsExactly(PNG);
    }

    @Test
    void anHttpsImageMayCarryItsMediaType() throws Exception {
        ContentPart part = only("{'role':'user','content':[{'type':'image_url','image_url':"
                + "{'url':'https://example.org/chart','media_type':'image/webp'}}]}").getParts().get(0);
        assertThat(part.getImageUrl()).isEqualTo("https://example.org/chart");
        assertThat(part.getMediaType()).isEqualTo("image/webp");
    }

    @Test
    void assistantToolCallsMapWithNullContentAndArgumentsVerbatim() throws Exception {
        Message m = only("{'role':'assistant','content':null,'tool_calls':["
                + "{'id':'call_1','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\': \\'Paris\\'}'}},"
                + "{'id':'call_2','function':{'name':'get_time','arguments':{'tz':'CET'}}},"
                + "{'id':'call_3','type':'function','function':{'name':'now'}}]}");

        assertThat(m.getContent()).isEmpty();
        assertThat(m.getToolCalls()).containsExactly(
                new MessageToolCall("call_1", "get_weather", "{\"city\": \"Paris\"}"),
                new MessageToolCall("call_2", "get_time", "{\"tz\":\"CET\"}"),
                new MessageToolCall("call_3", "now", "{}"));
    }

    @Test
    void assistantTextAndToolCallsAreKeptTogether() throws Exception {
        Message m = only("{'role':'assistant','content':'Checking.','tool_calls':[{'id':'c1','type':'function',"
                + "'function':{'name':'f','arguments':'{}'}}]}");
        assertThat(m.getContent()).isEqualTo("Checking.");
        assertThat(m.getToolCalls()).hasSize(1);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                refused("unknown part type", "{'role':'user','content':[{'type':'input_audio','input_audio':{}}]}",
                        "messages[0].content[0].type 'input_audio' is not supported; use text or image_url"),
                refused("part without type", "{'role':'user','content':[{'text':'hi'}]}",
                        "messages[0].content[0].type is required: text or image_url"),
                refused("part that is not an object", "{'role':'user','content':['hi']}",
                        "messages[0].content[0] must be an object"),
                refused("text part without text", "{'role':'user','content':[{'type':'text','text':5}]}",
                        "messages[0].content[0].text must be a string"),
                refused("empty content array", "{'role':'user','content':[]}",
                        "messages[0].content must be a string or a non-empty array of parts"),
                refused("content a number", "{'role':'user','content':7}",
                        "messages[0].content must be a string or a non-empty array of parts"),
                refused("null content without tool calls", "{'role':'assistant','content':null}",
                        "messages[0].content is required"),
                refused("image in an assistant message",
                        "{'role':'assistant','content':[{'type':'image_url','image_url':{'url':'https://example.org/a.png'}}]}",
                        "messages[0].content[0] is an image in a 'assistant' message; images are accepted in user messages only"),
                refused("image_url as a bare string", "{'role':'user','content':[{'type':'image_url','image_url':'https://x.org/a.png'}]}",
                        "messages[0].content[0].image_url must be an object"),
                refused("image without url", "{'role':'user','content':[{'type':'image_url','image_url':{}}]}",
                        "messages[0].content[0].image_url.url is required"),
                refused("ftp image url", "{'role':'user','content':[{'type':'image_url','image_url':{'url':'ftp://x.org/a.png'}}]}",
                        "messages[0].content[0].image_url.url must be an http(s) URL or a data: URL, not scheme 'ftp'"),
                refused("data url not base64", "{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/svg+xml,%3Csvg%3E'}}]}",
                        "messages[0].content[0].image_url.url must be base64-encoded"),
                refused("data url without comma", "{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png;base64'}}]}",
                        "messages[0].content[0].image_url.url is a data: URL without ','"),
                refused("data url of a non-image", "{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:text/plain;base64,aGk='}}]}",
                        "messages[0].content[0].image_url.url has media type 'text/plain'; an image type such as image/png is required"),
                refused("data url with invalid base64", "{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png;base64,@@@@'}}]}",
                        "messages[0].content[0].image_url.url holds data that is not valid base64"),
                refused("media_type extension that is not an image",
                        "{'role':'user','content':[{'type':'image_url','image_url':{'url':'https://x.org/a','media_type':'application/pdf'}}]}",
                        "messages[0].content[0].image_url.media_type has media type 'application/pdf'"),
                refused("tool_calls on a user message", "{'role':'user','content':'x','tool_calls':[{'id':'c','function':{'name':'f'}}]}",
                        "messages[0].tool_calls is allowed on assistant messages only"),
                refused("tool call of another type", "{'role':'assistant','content':null,'tool_calls':[{'id':'c','type':'custom','function':{'name':'f'}}]}",
                        "messages[0].tool_calls[0].type 'custom' is not supported; use function"),
                refused("tool call without id", "{'role':'assistant','content':null,'tool_calls':[{'type':'function','function':{'name':'f'}}]}",
                        "messages[0].tool_calls[0].id is required"),
                refused("tool call without function name", "{'role':'assistant','content':null,'tool_calls':[{'id':'c','function':{}}]}",
                        "messages[0].tool_calls[0].function.name is required"),
                refused("tool call arguments a number", "{'role':'assistant','content':null,'tool_calls':[{'id':'c','function':{'name':'f','arguments':3}}]}",
                        "messages[0].tool_calls[0].function.arguments must be a JSON string (or an object)"),
                refused("unknown role", "{'role':'developer','content':'x'}", "messages[0].role must be one of"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithAPrecise400(String name, String message, String expected) {
        assertThatThrownBy(() -> create(message, ImageParts.MAX_IMAGE_BYTES))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("invalid_request");
                    assertThat(e.getMessage()).contains(expected);
                });
    }

    @Test
    void anInlineImageOverTheLimitIsRefusedBeforeDecodingAndOneAtTheLimitPasses() throws Exception {
        String image = "{'role':'user','content':[{'type':'text','text':'hi'},{'type':'image_url','image_url':{'url':'"
                + PNG_URL + "'}}]}";
        assertThat(bytes(create(image, PNG.length).getMessages().get(0).getParts().get(1).getData())).containsExactly(PNG);

        assertThatThrownBy(() -> create(image, PNG.length - 1))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("image_too_large");
                    assertThat(e.getMessage()).startsWith("messages[0].content[1].image_url.url holds an image of 10 bytes;")
                            .contains("the limit is 9 bytes per image").contains("https URL");
                });
    }

    @Test
    void theDefaultLimitIsTwentyMebibytes() {
        assertThat(ImageParts.MAX_IMAGE_BYTES).isEqualTo(20L * 1024 * 1024);
    }

    private static Arguments refused(String name, String message, String expected) {
        return Arguments.of(name, message, expected);
    }

    private static Message only(String message) throws Exception {
        return create(message, ImageParts.MAX_IMAGE_BYTES).getMessages().get(0);
    }

    /** A body with this one message (JSON written with ' for "). */
    private static LlmRequest create(String message, long maxImageBytes) throws Exception {
        String body = "{\"model\":\"openai/gpt-4o\",\"messages\":[" + message.replace('\'', '"') + "]}";
        return RequestFactory.create(JSON.readValue(body.getBytes(StandardCharsets.UTF_8), CreateStream.class), null,
                TestLimits.DEFAULTS, maxImageBytes);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
