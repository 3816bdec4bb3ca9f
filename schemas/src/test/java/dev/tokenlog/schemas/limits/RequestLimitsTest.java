package dev.tokenlog.schemas.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestLimitsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final RequestLimits LIMITS = new RequestLimits(new LimitSettings(5, 128, 32, 8192, 64,
            Duration.ofMinutes(10), Map.of("mock", 4096, "openai", 32768, "anthropic", 32768),
            Map.of("openai/gpt-small", 1024)));

    /** One case per rule: a change to a valid request, and what the message must say (null: allowed). */
    static Stream<Arguments> cases() {
        return Stream.of(
                ok("a plain request", r -> {}),
                ok("5 fallbacks", r -> r.setRoute(route(6))),
                bad("6 fallbacks", r -> r.setRoute(route(7)),
                        "fallbacks has 6 targets; at most 5 are allowed (tokenlog.limits.max-fallbacks)"),
                bad("50,000 fallbacks", r -> r.setRoute(route(50_001)), "fallbacks has 50000 targets"),
                bad("unknown provider", r -> r.setRoute(List.of(new RouteTarget("nosuch", "x"))),
                        "model provider 'nosuch' is not configured; use one of [anthropic, mock, openai]"
                                + " (tokenlog.limits.providers)"),
                bad("unknown fallback provider", r -> r.setRoute(List.of(target("mock/echo"), target("nosuch/x"))),
                        "fallbacks[0] provider 'nosuch' is not configured"),
                bad("provider with a newline is not echoed raw", r -> r.setRoute(List.of(new RouteTarget("a\nb", "x"))),
                        "model provider 'a?b' is not configured"),
                ok("real model ids", r -> r.setRoute(List.of(target("openai/gpt-4o-2024-08-06"),
                        target("anthropic/claude-3-5-sonnet@20240620"), target("openai/llama3.1:8b"),
                        target("openai/anthropic.claude-v2:1"), target("openai/ibm/granite-13b+chat_v2")))),
                bad("model with a newline", r -> r.setRoute(List.of(target("mock/echo\nINFO forged"))),
                        "model model name 'echo?INFO forged' may only hold letters, digits and . _ : / @ + -"),
                bad("model with a space", r -> r.setRoute(List.of(target("mock/a b"))), "no spaces"),
                bad("10 KB model name", r -> r.setRoute(List.of(new RouteTarget("mock", "m".repeat(10_240)))),
                        "model model name is 10240 characters long; at most 128 are allowed"
                                + " (tokenlog.limits.model-max-length)"),
                ok("no max_tokens", r -> r.getParams().setMaxTokens(null)),
                ok("max_tokens at the mock's cap", r -> r.getParams().setMaxTokens(4096)),
                bad("max_tokens above the mock's cap", r -> r.getParams().setMaxTokens(100_000_000),
                        "max_tokens 100000000 is out of range: mock/echo allows 1 to 4096"
                                + " (tokenlog.limits.providers.mock.max-tokens)"),
                bad("max_tokens 0", r -> r.getParams().setMaxTokens(0), "max_tokens 0 is out of range"),
                bad("max_tokens above a fallback's cap", r -> {
                    r.setRoute(List.of(target("openai/gpt-4o"), target("mock/echo")));
                    r.getParams().setMaxTokens(5000);
                }, "mock/echo allows 1 to 4096"),
                bad("max_tokens above a model's cap", r -> {
                    r.setRoute(List.of(target("openai/gpt-small")));
                    r.getParams().setMaxTokens(2000);
                }, "openai/gpt-small allows 1 to 1024 (tokenlog.limits.models.\"openai/gpt-small\".max-tokens)"),
                ok("32 metadata keys", r -> r.setMetadata(keys(32))),
                bad("100 metadata keys", r -> r.setMetadata(keys(100)),
                        "metadata has 100 keys; at most 32 are allowed (tokenlog.limits.metadata-max-keys)"),
                bad("1 MB of metadata", r -> r.setMetadata(Map.of("k", "v".repeat(1 << 20))),
                        "metadata is 1048577 bytes (keys and values, UTF-8); at most 8192 are allowed"
                                + " (tokenlog.limits.metadata-max-bytes)"),
                bad("long metadata key", r -> r.setMetadata(Map.of("k".repeat(65), "v")),
                        "is 65 characters long; at most 64 are allowed (tokenlog.limits.metadata-max-key-length)"),
                ok("the control keys in range", r -> r.setMetadata(Map.of("mock.tps", "2.5", "mock.ttft-ms", "0",
                        "mock.fail-after", "-1", "timeout.connect-ms", "1000", "timeout.first-token-ms", "600000",
                        "timeout.idle-ms", "500", "route.fallback-on-client-error", "true", "app.trace", "x"))),
                bad("first-token timeout of a day", r -> r.setMetadata(Map.of("timeout.first-token-ms", "86400000")),
                        "metadata timeout.first-token-ms '86400000' must be a whole number of milliseconds from 1 to"
                                + " 600000 (tokenlog.limits.max-timeout)"),
                bad("timeout beyond the deadline", r -> {
                    r.setDeadline(NOW.plusSeconds(30));
                    r.setMetadata(Map.of("timeout.idle-ms", "60000"));
                }, "from 1 to 30000 (the request's deadline)"),
                bad("timeout of 0", r -> r.setMetadata(Map.of("timeout.connect-ms", "0")), "from 1 to 600000"),
                bad("timeout not a number", r -> r.setMetadata(Map.of("timeout.idle-ms", "1e3")), "whole number"),
                bad("negative mock delay", r -> r.setMetadata(Map.of("mock.ttft-ms", "-1")),
                        "metadata mock.ttft-ms '-1' must be a whole number of milliseconds from 0 to 600000"),
                bad("huge mock delay", r -> r.setMetadata(Map.of("mock.ttft-ms", "99999999999999")), "from 0 to 600000"),
                bad("mock rate not a number", r -> r.setMetadata(Map.of("mock.tps", "fast")),
                        "metadata mock.tps 'fast' must be a number from 0 to 1000000"),
                bad("mock failure below -1", r -> r.setMetadata(Map.of("mock.fail-after", "-2")), "from -1 to"),
                bad("fallback switch not a boolean", r -> r.setMetadata(Map.of("route.fallback-on-client-error", "yes")),
                        "metadata route.fallback-on-client-error 'yes' must be true or false"),
                bad("a typo of a control key", r -> r.setMetadata(Map.of("mock.tsp", "5")),
                        "metadata key 'mock.tsp' is not one tokenlog reads; keys starting with [mock., timeout., route.]"
                                + " must be one of [mock.fail-after, mock.tps, mock.ttft-ms, route.fallback-on-client-error,"
                                + " timeout.connect-ms, timeout.first-token-ms, timeout.idle-ms]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checksEachRule(String name, Consumer<LlmRequest> change, String message) {
        LlmRequest request = request();
        change.accept(request);
        if (message == null) {
            assertThat(LIMITS.check(request)).as(name).isEmpty();
        } else {
            assertThat(LIMITS.check(request)).as(name).hasValueSatisfying(v -> assertThat(v.message()).contains(message));
        }
    }

    @Test
    void theMockIsConfiguredOnlyWhenEnabled() {
        LimitsConfig config = new Defaults();
        assertThat(config.settings(config.gatewayProviders(), false).providerMaxTokens())
                .containsOnlyKeys("openai", "anthropic", "gemini", "ollama", "bedrock", "watsonx")
                .containsEntry("openai", 32768);
        assertThat(config.settings(config.gatewayProviders(), true).providerMaxTokens()).containsEntry("mock", 4096);
        LlmRequest mock = request();
        assertThat(new RequestLimits(config.settings(config.gatewayProviders(), false)).check(mock))
                .hasValueSatisfying(v -> assertThat(v.message()).contains("tokenlog.mock.enabled=true"));
    }

    @Test
    void refusesSettingsThatLetNothingThrough() {
        assertThatThrownBy(() -> new LimitSettings(5, 0, 32, 8192, 64, Duration.ofMinutes(1), Map.of(), Map.of()))
                .hasMessageContaining("tokenlog.limits.model-max-length must be at least 1");
        assertThatThrownBy(() -> new LimitSettings(5, 128, 32, 8192, 64, Duration.ZERO, Map.of(), Map.of()))
                .hasMessageContaining("tokenlog.limits.max-timeout must be positive");
        assertThatThrownBy(() -> new LimitSettings(5, 128, 32, 8192, 64, Duration.ofMinutes(1), Map.of("x", 0), Map.of()))
                .hasMessageContaining("tokenlog.limits.providers.x.max-tokens must be at least 1");
    }

    /** The interface's defaults, as SmallRye would fill them in with no setting at all. */
    private static final class Defaults implements LimitsConfig {
        public int maxFallbacks() { return Integer.parseInt(MAX_FALLBACKS); }
        public int modelMaxLength() { return Integer.parseInt(MODEL_MAX_LENGTH); }
        public int metadataMaxKeys() { return Integer.parseInt(METADATA_MAX_KEYS); }
        public int metadataMaxBytes() { return Integer.parseInt(METADATA_MAX_BYTES); }
        public int metadataMaxKeyLength() { return Integer.parseInt(METADATA_MAX_KEY_LENGTH); }
        public Duration maxTimeout() { return Duration.ofMinutes(10); }
        public int defaultMaxTokens() { return Integer.parseInt(DEFAULT_MAX_TOKENS); }
        public int mockMaxTokens() { return Integer.parseInt(MOCK_MAX_TOKENS); }
        public List<String> defaultProviders() { return List.of(DEFAULT_PROVIDERS.split(",")); }
        public Map<String, Cap> providers() { return Map.of(); }
        public Map<String, Cap> models() { return Map.of(); }
    }

    private static Arguments ok(String name, Consumer<LlmRequest> change) {
        return Arguments.of(name, change, null);
    }

    private static Arguments bad(String name, Consumer<LlmRequest> change, String message) {
        return Arguments.of(name, change, message);
    }

    private static LlmRequest request() {
        return LlmRequest.newBuilder().setRequestId("r").setCreatedAt(NOW)
                .setRoute(new ArrayList<>(List.of(target("mock/echo"))))
                .setMessages(List.of(Message.newBuilder().setRole("user").setContent("hi").build()))
                .setParams(GenerationParams.newBuilder().setMaxTokens(64).build())
                .setMetadata(new HashMap<>()).build();
    }

    private static RouteTarget target(String providerSlashModel) {
        int slash = providerSlashModel.indexOf('/');
        return new RouteTarget(providerSlashModel.substring(0, slash), providerSlashModel.substring(slash + 1));
    }

    private static List<RouteTarget> route(int targets) {
        return IntStream.range(0, targets).mapToObj(i -> target(i % 2 == 0 ? "mock/echo" : "openai/gpt-4o")).toList();
    }

    private static Map<String, String> keys(int n) {
        Map<String, String> out = new HashMap<>();
        IntStream.range(0, n).forEach(i -> out.put("k" + i, "v"));
        return out;
    }
}
