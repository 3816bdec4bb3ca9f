package dev.tokenlog.worker.provider.framing;

/**
 * One server-sent event, as dispatched by {@link SseParser}.
 *
 * @param event the event type; {@code "message"} when the event had no (or an empty) {@code event}
 *     field (WHATWG HTML §9.2.6, "dispatch the event")
 * @param data the {@code data} lines joined with {@code \n}; may be empty, never null
 * @param id the last event id seen on the stream so far (sticky across events, not reset by an event
 *     without an {@code id} field), or null if none was seen or the last {@code id} field was empty
 */
public record SseEvent(String event, String data, String id) {}
