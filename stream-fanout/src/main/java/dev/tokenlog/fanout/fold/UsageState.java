package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.Usage;

/** Token usage as last reported by an attempt (providers' usage is cumulative, so the last one wins). */
public record UsageState(long input, long output, long cached, long reasoning) {

    static UsageState of(Usage usage) {
        return new UsageState(usage.getInput(), usage.getOutput(), usage.getCached(), usage.getReasoning());
    }

    Usage toAvro() {
        return new Usage(input, output, cached, reasoning);
    }
}
