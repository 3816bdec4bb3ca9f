/**
 * Byte-level framing of provider responses: {@link dev.tokenlog.worker.provider.framing.SseParser}
 * for {@code text/event-stream} and {@link dev.tokenlog.worker.provider.framing.NdjsonParser} for
 * newline-delimited JSON, both fed incrementally through
 * {@link dev.tokenlog.worker.provider.framing.ByteSink}.
 *
 * <p>This layer knows nothing of providers (STYLE.md practice 1): terminal markers such as
 * {@code [DONE]}, {@code ping} events and in-band errors reach the provider adapter as ordinary
 * events or lines, and only the adapter decides whether an unterminated stream is a truncation.
 */
package dev.tokenlog.worker.provider.framing;
