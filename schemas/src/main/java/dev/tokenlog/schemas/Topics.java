package dev.tokenlog.schemas;

/**
 * Default topic names. Apps make them configurable; these are the defaults and the names tests use.
 * Values on every topic are Confluent-wire-format Avro under the subject {@code <topic>-value}.
 */
public final class Topics {
    /** {@code LlmRequest} values, keyed by requestId. */
    public static final String REQUESTS = "llm.requests";
    /** {@code ChunkRecord} values, keyed by requestId: one request's chunks share a partition, in order. */
    public static final String CHUNKS = "llm.chunks";
    /** {@code FinalAnswer} values, keyed by requestId: one per request. */
    public static final String ANSWERS = "llm.answers";

    /**
     * Largest record {@link #ANSWERS} takes ({@code max.message.bytes}): a final answer holds a whole
     * answer's text (chunks stay under Kafka's 1 MiB default), so its topic allows 16 MiB and the fold's
     * producer sends up to that ({@code max.request.size}).
     */
    public static final int ANSWERS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** {@code ControlCommand} values (cancel), keyed by requestId. */
    public static final String CONTROL = "llm.control";
    /** {@code ThroughputWindow} values: token throughput per provider, model and window. */
    public static final String METRICS = "llm.metrics";
    /**
     * {@code StreamIndexEntry} values, keyed by requestId, compacted: requests in flight (status, first
     * chunk), written by the fold, read by every gateway instance into a global store.
     */
    public static final String STREAM_INDEX = "llm.stream-index";
    /** Requests that could not be processed (dead-letter topic). */
    public static final String REQUESTS_DLQ = "llm.requests.dlq";

    /** Every topic, in the order of ARCHITECTURE.md. */
    public static final java.util.List<String> ALL = java.util.List.of(REQUESTS, CHUNKS, ANSWERS, CONTROL, METRICS, STREAM_INDEX,
            REQUESTS_DLQ);

    private Topics() {}
}
