package dev.tokenlog.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Model aliases of the OpenAI API come from properties or environment variables; none is fine. */
class OpenAiAliasesConfigTest {

    @Test
    void noAliasesAndTheDefaultCompletionTimeout() {
        GatewayConfig config = config(Map.of(), Map.of());
        assertThat(config.aliases()).isEmpty();
        assertThat(config.completionTimeout()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aliasesFromPropertiesKeepTheirNamesQuotedOrNot() {
        GatewayConfig config = config(Map.of("tokenlog.gateway.aliases.\"gpt-4o\"", "openai/gpt-4o",
                "tokenlog.gateway.aliases.fast", "mock/echo"), Map.of());
        assertThat(config.aliases()).containsExactlyInAnyOrderEntriesOf(Map.of("gpt-4o", "openai/gpt-4o", "fast", "mock/echo"));
    }

    @Test
    void aliasesFromEnvironmentVariables() {
        GatewayConfig config = config(Map.of(), Map.of("TOKENLOG_GATEWAY_ALIASES_FAST", "mock/echo",
                "TOKENLOG_GATEWAY_COMPLETION_TIMEOUT", "30s"));
        assertThat(config.aliases()).containsExactlyEntriesOf(Map.of("fast", "mock/echo"));
        assertThat(config.completionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anEnvironmentVariableCannotSpellADashSoTheAliasArrivesWithDots() {
        // ModelAliases matches names with '-', '.' and '_' alike, so this alias serves "gpt-4o".
        assertThat(config(Map.of(), Map.of("TOKENLOG_GATEWAY_ALIASES_GPT_4O", "openai/gpt-4o")).aliases())
                .containsExactlyEntriesOf(Map.of("gpt.4o", "openai/gpt-4o"));
    }

    private static GatewayConfig config(Map<String, String> properties, Map<String, String> env) {
        // Quarkus' converter reads durations such as 15s, as the app does.
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 250), new EnvConfigSource(env, 300))
                .withMapping(GatewayConfig.class).build();
        return config.getConfigMapping(GatewayConfig.class);
    }
}
