package dev.tokenlog.fanout;

import dev.tokenlog.testsupport.TokenlogTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The gateway of the OpenAI API tests: an alias {@code fast} for {@code mock/echo}, a short completion
 * timeout, and heartbeats often enough that they fall between the events of a paced stream (OpenAI's
 * SDKs must not trip over them).
 */
public final class OpenAiTestProfile implements QuarkusTestProfile {
    /** How long a non-streaming call waits for its answer in these tests. */
    static final String COMPLETION_TIMEOUT = "4s";
    /** Comment on an idle stream this often. */
    static final String HEARTBEAT = "200ms";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tokenlog.gateway.aliases.fast", "mock/echo",
                "tokenlog.gateway.completion-timeout", COMPLETION_TIMEOUT, "tokenlog.gateway.heartbeat", HEARTBEAT);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TokenlogTestResource.class));
    }
}
