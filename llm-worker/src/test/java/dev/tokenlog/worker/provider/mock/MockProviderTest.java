package dev.tokenlog.worker.provider.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.worker.config.ProvidersConfig;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.contract.TestCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The mock's output (what the tests and the bench rely on), made one token at a time. */
class MockProviderTest {
    private static final ProvidersConfig.Mock FAST = new ProvidersConfig.Mock() {
        @Override
        public double tps() {
            return 0;
        }

        @Override
        public long ttftMs() {
            return 0;
        }

        @Override
        public int failAfter() {
            return -1;
        }
    };

    @Test
    void loremStreamsMaxTokensFillerWordsWrappingAroundTheFillerText() throws Exception {
        List<ProviderEvent> events = stream("lorem", 20, "ignored");

        assertThat(text(events)).isEqualTo("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
                + "tempor incididunt ut labore et dolore magna aliqua lorem");
        assertThat(events.stream().filter(e -> e instanceof ProviderEvent.Text)).hasSize(20);
        assertThat(events).contains(new ProviderEvent.Usage(1, 20, 0, 0));
        assertThat(events.get(events.size() - 1)).isInstanceOf(ProviderEvent.Finished.class);
    }

    @Test
    void loremWithoutMaxTokensStreamsSixteenWords() throws Exception {
        assertThat(stream("lorem", null, "ignored").stream().filter(e -> e instanceof ProviderEvent.Text)).hasSize(16);
    }

    @Test
    void echoStreamsTheLastUserMessageWordByWord() throws Exception {
        List<ProviderEvent> events = stream("echo", 4, "the  quick brown fox");

        assertThat(events.stream().filter(e -> e instanceof ProviderEvent.Text).map(e -> ((ProviderEvent.Text) e).text()))
                .containsExactly("the  ", "quick ", "brown ", "fox");
    }

    @Test
    void aHugeMaxTokensIsCountedNotMaterialised() {
        MockProvider.Tokens tokens = MockProvider.lorem(Integer.MAX_VALUE);

        assertThat(tokens.count()).isEqualTo(Integer.MAX_VALUE);
        assertThat(tokens.token(Integer.MAX_VALUE - 1)).isEqualTo("ipsum");
    }

    private static List<ProviderEvent> stream(String model, Integer maxTokens, String prompt) throws Exception {
        ProviderCall base = TestCalls.call(List.of(TestCalls.message("user", prompt)),
                GenerationParams.newBuilder().setMaxTokens(maxTokens).build());
        List<ProviderEvent> events = new ArrayList<>();
        new MockProvider(FAST).stream(new ProviderCall(base.request(), model, resource -> { }), events::add);
        return events;
    }

    private static String text(List<ProviderEvent> events) {
        return events.stream().filter(e -> e instanceof ProviderEvent.Text).map(e -> ((ProviderEvent.Text) e).text())
                .collect(Collectors.joining());
    }
}
