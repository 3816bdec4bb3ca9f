package dev.tokenlog.fanout.sse;

import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.openai.OpenAiErrors;
import dev.tokenlog.fanout.openai.OpenAiWire;
import java.util.Map;
import java.util.function.Function;

/**
 * The wire format of {@code GET /v1/streams/{id}/events}, chosen with {@code ?format=}: {@code native}
 * (default; named events {@code start}, {@code delta}, … {@code done}) or {@code openai} (OpenAI's
 * {@code chat.completion.chunk}s and {@code [DONE]}, the format {@code POST /v1/chat/completions}
 * streams, so a client can resume that call). With {@code openai}, {@code ?include_usage=true} adds
 * the usage chunk, like {@code stream_options.include_usage}.
 */
enum EventFormat {
    NATIVE,
    OPENAI;

    /** The format a {@code format} parameter names; 400 for an unknown one. */
    static EventFormat of(String param) {
        if (param == null || param.isBlank() || param.equals("native")) {
            return NATIVE;
        }
        if (param.equals("openai")) {
            return OPENAI;
        }
        throw ApiException.badRequest("format '" + param + "' is not supported; use native (the default) or openai");
    }

    /**
     * The events of one subscriber of {@code streamId}.
     *
     * @param answer  the stream's final answer if it has ended (names the model when no Started is read)
     * @param resumed whether the subscriber resumed after an event id
     * @param query   the request's query parameters
     */
    StreamEvents events(String streamId, FinalAnswer answer, boolean resumed, Function<String, String> query) {
        return switch (this) {
            case NATIVE -> new ChunkEvents(resumed);
            case OPENAI -> new OpenAiChunkEvents(streamId,
                    answer == null ? null : OpenAiWire.model(answer.getProvider(), answer.getModel()),
                    resumed, flag(query.apply("include_usage"), "include_usage"));
        };
    }

    /** The JSON body of an error answered before the event stream starts. */
    String errorJson(ApiException e) {
        return ChunkEvents.json(switch (this) {
            case NATIVE -> Map.of("error", Map.of("code", e.code(), "message", e.getMessage()));
            case OPENAI -> OpenAiErrors.body(e, null);
        });
    }

    private static boolean flag(String value, String name) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ApiException.badRequest(name + " must be true or false, got '" + value + "'");
    }
}
