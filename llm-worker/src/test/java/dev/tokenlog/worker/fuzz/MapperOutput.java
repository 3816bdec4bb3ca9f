package dev.tokenlog.worker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The invariant every provider stream mapper must keep, whatever bytes the provider sends: it reports
 * events or fails with a {@link ProviderException} (any other exception escapes this check and is a
 * finding), every event can be published (the non-null strings of the ChunkRecord schema), nothing
 * follows {@code Finished}, and the output is bounded by the input.
 */
public final class MapperOutput {
    /** What the provider code does with one response body. */
    @FunctionalInterface
    public interface Reading {
        void read(Consumer<ProviderEvent> sink) throws ProviderException, IOException;
    }

    private MapperOutput() {}

    /** Runs {@code reading} of a body of {@code inputBytes} bytes and asserts the invariant. */
    public static void check(int inputBytes, Reading reading) throws IOException {
        List<ProviderEvent> events = new ArrayList<>();
        try {
            reading.read(events::add);
        } catch (ProviderException e) {
            assertThat(e.code()).as("error code").isNotBlank();
            assertThat(e.getMessage()).as("error message").isNotBlank();
        }
        assertThat(events.size()).as("events from %d bytes", inputBytes).isLessThanOrEqualTo(inputBytes + 2);
        for (int i = 0; i < events.size(); i++) {
            ProviderEvent event = events.get(i);
            assertThat(strings(event)).as("fields of %s", event).allSatisfy(s ->
                    assertThat(s).isNotNull().hasSizeLessThanOrEqualTo(Math.max(inputBytes, 2)));
            if (event instanceof ProviderEvent.Finished finished) {
                assertThat(finished.reason()).as("finish reason").isNotNull();
                assertThat(i).as("Finished is the last event").isEqualTo(events.size() - 1);
            }
        }
    }

    /** The strings of an event that the ChunkRecord schema requires (non-null). */
    private static List<String> strings(ProviderEvent event) {
        return switch (event) {
            case ProviderEvent.Text t -> Stream.of(t.text()).toList();
            case ProviderEvent.Reasoning r -> Stream.of(r.text()).toList();
            case ProviderEvent.ToolCallStart s -> Stream.of(s.id(), s.name()).toList();
            case ProviderEvent.ToolCallArguments a -> Stream.of(a.delta()).toList();
            case ProviderEvent.ToolCallEnd e -> List.of();
            case ProviderEvent.Usage u -> List.of();
            case ProviderEvent.Finished f -> f.rawReason() == null ? List.of() : List.of(f.rawReason());
        };
    }
}
