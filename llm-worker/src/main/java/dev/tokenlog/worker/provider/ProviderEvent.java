package dev.tokenlog.worker.provider;

import dev.tokenlog.avro.FinishReason;

/**
 * What a provider adapter reports, normalised across providers. The publisher turns each event into
 * one chunk record; adapters never see Kafka.
 */
public sealed interface ProviderEvent {

    /** A piece of answer text. */
    record Text(String text) implements ProviderEvent {}

    /** A piece of reasoning ("thinking") text. */
    record Reasoning(String text) implements ProviderEvent {}

    /** A tool call begins. */
    record ToolCallStart(int index, String id, String name) implements ProviderEvent {}

    /** A piece of a tool call's raw JSON arguments. */
    record ToolCallArguments(int index, String delta) implements ProviderEvent {}

    /** A tool call's arguments are complete. */
    record ToolCallEnd(int index) implements ProviderEvent {}

    /** Token usage so far; the last one of a stream is the total. */
    record Usage(long input, long output, long cached, long reasoning) implements ProviderEvent {}

    /** The provider finished the answer normally. */
    record Finished(FinishReason reason, String rawReason) implements ProviderEvent {}

    /** Whether this event is model output (as opposed to bookkeeping such as usage). */
    default boolean isOutput() {
        return this instanceof Text || this instanceof Reasoning || this instanceof ToolCallStart
                || this instanceof ToolCallArguments || this instanceof ToolCallEnd;
    }
}
