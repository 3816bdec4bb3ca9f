package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.schemas.RequestIds;
import dev.tokenlog.schemas.limits.RequestLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Validates an HTTP request body and turns it into an {@link LlmRequest}; nothing invalid reaches Kafka.
 * The body's form is checked here, the request limits ({@code tokenlog.limits.*}) by {@link RequestLimits},
 * the rule the worker applies too.
 */
public final class RequestFactory {
    private RequestFactory() {}

    public static LlmRequest create(CreateStream body, String owner, RequestLimits limits) {
        return create(body, owner, limits, ImageParts.MAX_IMAGE_BYTES);
    }

    /** @param maxImageBytes limit on each decoded inline image */
    static LlmRequest create(CreateStream body, String owner, RequestLimits limits, long maxImageBytes) {
        if (body == null) {
            throw ApiException.badRequest("request body is required: {\"model\":\"mock/echo\",\"messages\":[...]}");
        }
        List<RouteTarget> route = new ArrayList<>();
        route.add(target("model", body.model()));
        if (body.fallbacks() != null) {
            for (int i = 0; i < body.fallbacks().size(); i++) {
                route.add(target("fallbacks[" + i + "]", body.fallbacks().get(i)));
            }
        }
        Instant now = Instant.now();
        LlmRequest request = LlmRequest.newBuilder()
                .setRequestId(RequestIds.newId())
                .setCreatedAt(now)
                .setRoute(route)
                .setMessages(messages(body.messages(), maxImageBytes))
                .setParams(params(body))
                .setMetadata(body.metadata() == null ? new HashMap<>() : new HashMap<>(body.metadata()))
                .setOwner(owner)
                .setDeadline(deadline(now, body.deadlineMs()))
                .build();
        limits.check(request).ifPresent(v -> {
            throw ApiException.badRequest(v.message());
        });
        return request;
    }

    private static RouteTarget target(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(field + " is required, as \"<provider>/<model>\", e.g. \"mock/echo\"");
        }
        int slash = value.indexOf('/');
        if (slash <= 0 || slash == value.length() - 1) {
            throw ApiException.badRequest(field + " " + RequestLimits.shown(value)
                    + " must be \"<provider>/<model>\", e.g. \"mock/echo\"");
        }
        return new RouteTarget(value.substring(0, slash), value.substring(slash + 1));
    }

    private static List<Message> messages(List<CreateStream.ChatMessage> in, long maxImageBytes) {
        if (in == null || in.isEmpty()) {
            throw ApiException.badRequest("messages must hold at least one message");
        }
        List<Message> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            out.add(MessageMapper.map(in.get(i), "messages[" + i + "]", maxImageBytes));
        }
        return out;
    }

    private static GenerationParams params(CreateStream body) {
        if (body.temperature() != null && (body.temperature() < 0 || body.temperature() > 2)) {
            throw ApiException.badRequest("temperature must be between 0 and 2");
        }
        if (body.topP() != null && (body.topP() <= 0 || body.topP() > 1)) {
            throw ApiException.badRequest("top_p must be greater than 0 and at most 1");
        }
        return GenerationParams.newBuilder()
                .setMaxTokens(body.maxTokens())
                .setTemperature(body.temperature())
                .setTopP(body.topP())
                .setStop(body.stop() == null ? List.of() : body.stop())
                .setTools(ToolDefinitions.map(body.tools()))
                .build();
    }

    private static Instant deadline(Instant now, Long deadlineMs) {
        if (deadlineMs == null) {
            return null;
        }
        if (deadlineMs <= 0) {
            throw ApiException.badRequest("deadline_ms must be a positive number of milliseconds");
        }
        return now.plusMillis(deadlineMs);
    }
}
