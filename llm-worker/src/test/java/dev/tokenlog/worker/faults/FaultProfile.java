package dev.tokenlog.worker.faults;

import dev.tokenlog.testsupport.TokenlogTestResource;
import dev.tokenlog.worker.provider.contract.FixtureServer;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker of the fault suites, configured as a user would: provider entries whose base URLs point
 * at one fault-injecting {@link FixtureServer} (each entry speaks its provider's wire format), at a
 * port nobody listens on, and at a port that never answers a connect. Real broker and registry. Every
 * class of the suite uses this profile, so the worker starts once for all of them.
 */
public final class FaultProfile implements QuarkusTestProfile {
    /** The API key of every entry: distinctive, so a leak into a chunk or a log line is easy to find. */
    static final String KEY = "sk-fault-SECRET";

    /** OpenAI Chat Completions at the fixture server. */
    static final String OPENAI = "fault";
    /** The second route target of fallback scenarios: OpenAI Chat Completions under {@code /backup}. */
    static final String BACKUP = "backup";
    static final String ANTHROPIC = "fault-anthropic";
    static final String GEMINI = "fault-gemini";
    static final String OLLAMA = "fault-ollama";
    /** OpenAI at a closed port: connection refused. */
    static final String REFUSED = "refused";
    /** OpenAI at an {@link UnansweredPort}, with a short connect timeout. */
    static final String UNANSWERED = "unanswered";
    static final String UNANSWERED_CONNECT_TIMEOUT = "500ms";
    /**
     * A mock entry whose {@code max_tokens} cap is {@code Integer.MAX_VALUE}: it lets a request reach the
     * mock with a huge {@code max_tokens} past the request limits, to show the mock's memory does not grow with it.
     */
    static final String UNCAPPED_MOCK = "uncapped-mock";
    /** A {@link CrashingProviderType} entry: its adapter throws Errors. */
    static final String CRASH = "crash";

    /** Retries of one target before the next is tried; kept at 1 so scenarios stay fast. */
    static final int MAX_RETRIES = 1;

    /** Marks the field that receives the fixture server. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Server {}

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    /** The shared broker and registry, plus the fixture server and the two unreachable ports. */
    public static final class Resource extends TokenlogTestResource {
        private FixtureServer server;
        private UnansweredPort unanswered;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            int refusedPort;
            try {
                server = new FixtureServer();
                unanswered = new UnansweredPort();
                refusedPort = UnansweredPort.closedPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            entry(config, OPENAI, "openai", server.baseUrl() + "/v1");
            entry(config, BACKUP, "openai", server.baseUrl() + "/backup/v1");
            entry(config, ANTHROPIC, "anthropic", server.baseUrl());
            entry(config, GEMINI, "gemini", server.baseUrl());
            entry(config, OLLAMA, "ollama", server.baseUrl());
            entry(config, REFUSED, "openai", "http://127.0.0.1:" + refusedPort + "/v1");
            entry(config, UNANSWERED, "openai", "http://127.0.0.1:" + unanswered.port() + "/v1");
            config.put("tokenlog.providers." + UNANSWERED + ".connect-timeout", UNANSWERED_CONNECT_TIMEOUT);
            config.put("tokenlog.providers." + UNCAPPED_MOCK + ".type", "mock");
            config.put("tokenlog.limits.providers." + UNCAPPED_MOCK + ".max-tokens", Integer.toString(Integer.MAX_VALUE));
            entry(config, CRASH, CrashingProviderType.TYPE, "http://127.0.0.1:" + refusedPort + "/unused");
            return config;
        }

        private static void entry(Map<String, String> config, String name, String type, String baseUrl) {
            String prefix = "tokenlog.providers." + name + ".";
            config.put(prefix + "type", type);
            config.put(prefix + "base-url", baseUrl);
            config.put(prefix + "api-key", KEY);
            config.put(prefix + "max-retries", Integer.toString(MAX_RETRIES));
            config.put(prefix + "retry-backoff", "10ms");
            config.put(prefix + "retry-backoff-max", "20ms");
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(Server.class, FixtureServer.class));
        }

        @Override
        public void stop() {
            server.close();
            try {
                unanswered.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            super.stop();
        }
    }
}
