package dev.tokenlog.worker.provider.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * One row of a provider's quirks table: a wire body and exactly the events it must normalise to,
 * or the error it must end with (after the events reported before it).
 */
public record WireCase(String name, String wire, List<ProviderEvent> events, String errorCode, boolean retryable) {

    /** The wire ends normally with exactly {@code events}. */
    public static WireCase ok(String name, String wire, ProviderEvent... events) {
        return new WireCase(name, wire, List.of(events), null, false);
    }

    /** The wire ends with a ProviderException {@code code}/{@code retryable} after {@code before}. */
    public static WireCase fails(String name, String wire, String code, boolean retryable, ProviderEvent... before) {
        return new WireCase(name, wire, List.of(before), code, retryable);
    }

    /** Replays the wire from {@code server} (as {@code contentType}) through {@code provider} and asserts. */
    public void check(FixtureServer server, Provider provider, String contentType) {
        check(server, provider, contentType, text -> text.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #check(FixtureServer, Provider, String)}, serving {@code encoding} of the wire (binary formats). */
    public void check(FixtureServer server, Provider provider, String contentType, Function<String, byte[]> encoding) {
        server.then(FixtureServer.Reply.stream(contentType, encoding.apply(wire)));
        List<ProviderEvent> seen = new CopyOnWriteArrayList<>();
        if (errorCode == null) {
            assertThatCode(() -> provider.stream(TestCalls.simple(), seen::add))
                    .as(name).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> provider.stream(TestCalls.simple(), seen::add)).as(name)
                    .isInstanceOfSatisfying(ProviderException.class, e -> {
                        assertThat(e.code()).as(name + ": " + e.getMessage()).isEqualTo(errorCode);
                        assertThat(e.retryable()).as(name + ": retryable").isEqualTo(retryable);
                    });
        }
        assertThat(seen).as(name).containsExactlyElementsOf(events);
    }

    @Override
    public String toString() {
        return name;
    }
}
