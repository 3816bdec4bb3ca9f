package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event of a Responses API stream (platform.openai.com/docs/api-reference/responses-streaming):
 * every event carries its {@code type} (also sent as the SSE event name) and a
 * {@code sequence_number}; the other fields depend on the type and may be absent.
 *
 * @param delta       text, reasoning, refusal or arguments piece of a {@code *.delta} event
 * @param item        the output item of {@code response.output_item.added} / {@code .done}
 * @param itemId      the item a {@code *.delta} belongs to
 * @param outputIndex the position of that item in the response's output
 * @param response    the response of a terminal event ({@code completed}, {@code incomplete}, {@code failed})
 */
record ResponsesEvent(String type, String delta, Item item, String itemId, Integer outputIndex, Response response) {

    /** An output item; for {@code type: function_call}, {@code call_id} is what a tool result answers. */
    record Item(String type, String id, String callId, String name, String arguments) {}

    record Response(String status, Usage usage, IncompleteDetails incompleteDetails, JsonNode error) {}

    record Usage(long inputTokens, long outputTokens, Details inputTokensDetails, Details outputTokensDetails) {}

    record Details(long cachedTokens, long reasoningTokens) {}

    /** Why a response is incomplete: {@code max_output_tokens} or {@code content_filter}. */
    record IncompleteDetails(String reason) {}
}
