package dev.tokenlog.worker.provider;

import static dev.tokenlog.worker.provider.contract.TestCalls.PNG;
import static dev.tokenlog.worker.provider.contract.TestCalls.PNG_BASE64;
import static dev.tokenlog.worker.provider.contract.TestCalls.inlineImage;
import static dev.tokenlog.worker.provider.contract.TestCalls.textPart;
import static dev.tokenlog.worker.provider.contract.TestCalls.urlImage;
import static dev.tokenlog.worker.provider.contract.TestCalls.userWithParts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.PartType;
import dev.tokenlog.worker.provider.MessageContent.InlineImage;
import dev.tokenlog.worker.provider.MessageContent.Text;
import dev.tokenlog.worker.provider.MessageContent.UrlImage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a request message's parts resolve for the adapters, whatever form the producer wrote. */
class MessageContentTest {

    @Test
    void aMessageWithoutPartsIsItsContent() throws ProviderException {
        Message plain = Message.newBuilder().setRole("user").setContent("hello").build();
        assertThat(MessageContent.hasParts(plain)).isFalse();
        assertThat(MessageContent.parts(plain, "messages[0]")).containsExactly(new Text("hello"));
        assertThat(MessageContent.parts(Message.newBuilder().setRole("assistant").setContent("").build(), "m"))
                .isEmpty();
    }

    @Test
    void partsResolveInOrderWithDataUrlsDecodedAndEmptyTextLeftOut() throws ProviderException {
        Message m = userWithParts(textPart("Look:"), textPart(""), inlineImage("image/png", PNG),
                urlImage("data:image/png;base64," + PNG_BASE64, null), urlImage("https://example.org/a.jpg", "image/jpeg"),
                urlImage("http://example.org/b", null));
        assertThat(MessageContent.parts(m, "messages[0]")).containsExactly(new Text("Look:"),
                new InlineImage("image/png", PNG_BASE64), new InlineImage("image/png", PNG_BASE64),
                new UrlImage("https://example.org/a.jpg", "image/jpeg"), new UrlImage("http://example.org/b", null));
        assertThat(new InlineImage("image/png", PNG_BASE64).dataUrl()).isEqualTo("data:image/png;base64," + PNG_BASE64);
    }

    @Test
    void readingInlineBytesLeavesTheRecordsBufferUntouched() throws ProviderException {
        ByteBuffer data = ByteBuffer.wrap(PNG);
        Message m = userWithParts(ContentPart.newBuilder().setType(PartType.IMAGE).setMediaType("image/png").setData(data)
                .build());
        MessageContent.parts(m, "messages[0]");
        MessageContent.parts(m, "messages[0]");
        assertThat(data.remaining()).isEqualTo(PNG.length);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("a part kind this worker does not know",
                        ContentPart.newBuilder().setType(PartType.OTHER).build(),
                        "messages[1].parts[0] is a content part of a kind this worker does not know"),
                Arguments.of("inline bytes without media type",
                        ContentPart.newBuilder().setType(PartType.IMAGE).setData(ByteBuffer.wrap(PNG)).build(),
                        "messages[1].parts[0] is an inline image without mediaType"),
                Arguments.of("an image with neither data nor URL", ContentPart.newBuilder().setType(PartType.IMAGE).build(),
                        "messages[1].parts[0] is an image with neither data nor imageUrl"),
                Arguments.of("a URL of another scheme", urlImage("file:///etc/passwd", "image/png"),
                        "messages[1].parts[0].imageUrl must be an http(s) or a data: URL"),
                Arguments.of("a data: URL that is not base64", urlImage("data:image/png,abc", null),
                        "messages[1].parts[0].imageUrl must be base64-encoded"),
                Arguments.of("a data: URL of a non-image", urlImage("data:text/plain;base64,aGk=", null),
                        "messages[1].parts[0].imageUrl has media type 'text/plain'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWhatCannotBeSentFaithfully(String name, ContentPart part, String expected) {
        assertThatThrownBy(() -> MessageContent.parts(userWithParts(part), "messages[1]"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_REQUEST");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).startsWith(expected);
                });
    }

    @Test
    void textJoinsTextPartsAndRefusesImages() throws ProviderException {
        assertThat(MessageContent.text(userWithParts(textPart("a"), textPart("b")), "messages[0]", "p")).isEqualTo("a\nb");
        Message system = Message.newBuilder().setRole("system").setContent("")
                .setParts(List.of(inlineImage("image/png", PNG))).build();
        assertThatThrownBy(() -> MessageContent.text(system, "messages[0]", "claude"))
                .isInstanceOf(ProviderException.class)
                .hasMessage("messages[0] (role system) holds an image, but provider 'claude' takes only text there;"
                        + " send images in user messages");
    }

    @Test
    void argumentsParseToAnObjectAndBlankIsEmpty() throws ProviderException {
        assertThat(MessageContent.arguments(new MessageToolCall("c", "f", "{\"a\":[1,2]}"), "p").toString())
                .isEqualTo("{\"a\":[1,2]}");
        assertThat(MessageContent.arguments(new MessageToolCall("c", "f", " "), "p").toString()).isEqualTo("{}");
        assertThatThrownBy(() -> MessageContent.arguments(new MessageToolCall("c1", "f", "{\"a\":"), "gemini"))
                .isInstanceOf(ProviderException.class)
                .hasMessage("tool call 'c1' (f) has argumentsJson that is not a JSON object, and provider 'gemini'"
                        + " takes the arguments as an object");
    }

    @Test
    void textOnlyAdaptersRefuseImagesAndEarlierToolCallsInsteadOfDroppingThem() throws ProviderException {
        assertThat(MessageContent.textOnly(new Message("user", "plain", null, null, List.of(), List.of()), "messages[0]", "bedrock"))
                .isEqualTo("plain");
        Message withImage = userWithParts(textPart("look"), inlineImage("image/png", PNG));
        assertThatThrownBy(() -> MessageContent.textOnly(withImage, "messages[1]", "bedrock"))
                .isInstanceOf(ProviderException.class).hasMessageContaining("holds an image");
        Message withCalls = new Message("assistant", "", null, null, List.of(),
                List.of(new MessageToolCall("c1", "get_time", "{}")));
        assertThatThrownBy(() -> MessageContent.textOnly(withCalls, "messages[2]", "watsonx"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("messages[2] (role assistant) carries earlier tool calls")
                .hasMessageContaining("'watsonx'");
    }
}
