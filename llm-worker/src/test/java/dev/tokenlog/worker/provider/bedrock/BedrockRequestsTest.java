package dev.tokenlog.worker.provider.bedrock;

import static dev.tokenlog.worker.provider.contract.TestCalls.body;
import static dev.tokenlog.worker.provider.contract.TestCalls.header;
import static dev.tokenlog.worker.provider.contract.TestCalls.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.ToolDefinition;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The ConverseStream request the adapter sends, its authentication, and the entry's option checks. */
class BedrockRequestsTest {
    private static final String DONE = "event messageStop {\"stopReason\":\"end_turn\"}\n";
    private static final String ACCESS_KEY = "AKIDTESTEXAMPLE0001";
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET";

    private FixtureServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FixtureServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void mapsParamsToolsAndToolAnswersWithAlternatingTurns() throws Exception {
        GenerationParams params = GenerationParams.newBuilder().setMaxTokens(100).setTopP(0.9).setStop(List.of("END"))
                .setTools(List.of(TestCalls.weatherTool())).build();
        replyDone();
        new BedrockProvider(settings(Optional.of("k-1234"), Map.of(), Map.of())).stream(TestCalls.call(List.of(
                message("system", "Be brief."), message("user", "Weather in Paris and Rome?"),
                message("assistant", "Checking."),
                TestCalls.toolAnswer("get_weather", "call_1", "sunny"), TestCalls.toolAnswer("get_weather", "call_2", "rain"),
                message("user", "Thanks")), params), event -> { });
        JsonNode body = body(server.received().get(0));
        assertThat(body.path("inferenceConfig").toString()).isEqualTo("{\"maxTokens\":100,\"topP\":0.9,\"stopSequences\":[\"END\"]}");
        assertThat(body.path("toolConfig").toString()).isEqualTo("{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\","
                + "\"description\":\"Current weather of a city\",\"inputSchema\":{\"json\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}}]}");
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":[{\"text\":\"Weather in Paris and Rome?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"text\":\"Checking.\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"call_1\",\"content\":[{\"text\":\"sunny\"}]}},"
                + "{\"toolResult\":{\"toolUseId\":\"call_2\",\"content\":[{\"text\":\"rain\"}]}},{\"text\":\"Thanks\"}]}]");
    }

    @Test
    void sendsUserImagesAsImageBlocksWithTheirBytes() throws Exception {
        replyDone();
        new BedrockProvider(settings(Optional.of("k-1234"), Map.of(), Map.of())).stream(TestCalls.call(List.of(
                TestCalls.userWithParts(TestCalls.textPart("What is in these?"), TestCalls.inlineImage("image/png", TestCalls.PNG),
                        TestCalls.urlImage("data:image/jpeg;base64," + TestCalls.PNG_BASE64, null))),
                GenerationParams.newBuilder().build()), event -> { });
        // The SDK writes blob members of the JSON body as base64: the same bytes the request held.
        assertThat(body(server.received().get(0)).path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":["
                + "{\"text\":\"What is in these?\"},"
                + "{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"" + TestCalls.PNG_BASE64 + "\"}}},"
                + "{\"image\":{\"format\":\"jpeg\",\"source\":{\"bytes\":\"" + TestCalls.PNG_BASE64 + "\"}}}]}]");
    }

    @Test
    void refusesImagesConverseCannotTakeNamingTheMessage() {
        BedrockProvider provider = new BedrockProvider(settings(Optional.of("k-1234"), Map.of(), Map.of()));
        GenerationParams none = GenerationParams.newBuilder().build();
        var byUrl = TestCalls.call(List.of(TestCalls.userWithParts(TestCalls.textPart("x"),
                TestCalls.urlImage("https://example.org/cat.jpg", "image/jpeg"))), none);
        assertThatThrownBy(() -> provider.stream(byUrl, event -> { })).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.code()).isEqualTo("INVALID_REQUEST"))
                .hasMessage("messages[0] has an image by URL (https://example.org/cat.jpg), but Bedrock Converse takes"
                        + " images only as bytes; send a data: URL or inline data");
        var tiff = TestCalls.call(List.of(TestCalls.userWithParts(TestCalls.inlineImage("image/tiff", TestCalls.PNG))), none);
        assertThatThrownBy(() -> provider.stream(tiff, event -> { })).isInstanceOf(ProviderException.class)
                .hasMessage("messages[0] is an image of type image/tiff, which Bedrock Converse does not take"
                        + " (png, jpeg, gif or webp)");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void refusesRequestsBedrockCannotTakeWithoutCallingIt() {
        BedrockProvider provider = new BedrockProvider(settings(Optional.of("k-1234"), Map.of(), Map.of()));
        GenerationParams none = GenerationParams.newBuilder().build();
        GenerationParams badTool = GenerationParams.newBuilder()
                .setTools(List.of(new ToolDefinition("broken", null, "{not json"))).build();
        for (var call : List.of(TestCalls.call(List.of(TestCalls.toolAnswer("f", null, "x")), none),
                TestCalls.call(List.of(message("narrator", "x")), none),
                TestCalls.call(List.of(message("user", "x")), badTool))) {
            assertThatThrownBy(() -> provider.stream(call, event -> { })).isInstanceOfSatisfying(ProviderException.class,
                    e -> assertThat(e.code()).isEqualTo("INVALID_REQUEST"));
        }
        assertThat(server.received()).isEmpty();
    }

    @Test
    void signsWithSigV4FromTheDefaultCredentialChainWhenNoApiKeyIsSet() throws Exception {
        replyDone();
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        try {
            new BedrockProvider(settings(Optional.empty(), Map.of("x-team", "search"), Map.of()))
                    .stream(TestCalls.simple(), event -> { });
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        FixtureServer.Received request = server.received().get(0);
        assertThat(header(request, "authorization")).startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")
                .contains("/us-east-1/bedrock/aws4_request").contains("Signature=");
        assertThat(header(request, "x-amz-date")).isNotBlank();
        assertThat(header(request, "x-team")).isEqualTo("search");
        assertThat(request.headers().toString()).doesNotContain(SECRET_KEY);
    }

    @Test
    void authSigV4IgnoresAConfiguredApiKey() throws Exception {
        replyDone();
        new BedrockProvider(settings(Optional.of("k-1234"), Map.of(), Map.of("auth", "sigv4")),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .stream(TestCalls.simple(), event -> { });
        assertThat(header(server.received().get(0), "authorization")).startsWith("AWS4-HMAC-SHA256 ");
    }

    @Test
    void badOptionsFailAtStartUpNamingTheSetting() {
        assertThatThrownBy(() -> new BedrockProvider(settings(Optional.empty(), Map.of(), Map.of("auth", "bearer-key"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.auth").hasMessageContaining("api-key");
        assertThatThrownBy(() -> new BedrockProvider(settings(Optional.empty(), Map.of(), Map.of("auth", "iam"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.auth");
        assertThatThrownBy(() -> new BedrockProvider(settings(Optional.empty(), Map.of(), Map.of("http-protocol", "h3"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.http-protocol");
        assertThatThrownBy(() -> new BedrockProvider(settings(Optional.empty(), Map.of(), Map.of("max-concurrency", "0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.max-concurrency");
    }

    private ProviderSettings settings(Optional<String> key, Map<String, String> headers, Map<String, String> options) {
        Map<String, String> withRegion = new java.util.HashMap<>(options);
        withRegion.putIfAbsent("region", "us-east-1");
        return new ProviderSettings("bedrock", server.baseUrl(), key, Duration.ofSeconds(2), headers, Map.copyOf(withRegion));
    }

    private void replyDone() {
        server.then(FixtureServer.Reply.stream(EventStreamFrames.CONTENT_TYPE, EventStreamFrames.encode(DONE)));
    }
}
