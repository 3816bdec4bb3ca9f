package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.fanout.JsonFields;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.schemas.limits.RequestLimits;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/streams} with {@code Accept: text/event-stream}: accepts the request exactly as the
 * JSON API does, then answers with the stream itself, as {@code GET /v1/streams/{id}/events} would
 * serve it (a re-route inside the gateway), with the new id in {@code X-Stream-Id} so the client can
 * resume with {@code Last-Event-ID}. Without that Accept header the JSON API answers 202. For both, a
 * body whose Content-Length is over {@code quarkus.http.limits.max-body-size} is refused here, unread,
 * with a 413 naming the limit (Quarkus' own check answers that one without a body).
 */
@ApplicationScoped
public class DirectStreamRoute {
    private static final Logger LOG = Logger.getLogger(DirectStreamRoute.class);

    private final RecordWriter writer;
    private final TopicsConfig topics;
    private final Access access;
    private final StreamTokens tokens;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final RequestLimits limits;

    public DirectStreamRoute(RecordWriter writer, TopicsConfig topics, Access access, StreamTokens tokens,
                             ObjectMapper json, RequestLimits limits,
                             @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M")
                             MemorySize maxBody) {
        this.writer = writer;
        this.topics = topics;
        this.access = access;
        this.tokens = tokens;
        this.json = json;
        this.maxBodyBytes = maxBody.asLongValue();
        this.limits = limits;
    }

    void register(@Observes Router router) {
        router.post("/v1/streams").order(-3).handler(this::handle);
    }

    /** Only a request that asks for an event stream is ours; any other goes on to the JSON API. */
    private void handle(RoutingContext ctx) {
        if (declaredTooLarge(ctx)) {
            ctx.response().putHeader("Connection", "close"); // the body stays unread
            error(ctx, tooLarge());
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        if (accept == null || !accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream")) {
            ctx.next();
            return;
        }
        Context context = Vertx.currentContext();
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = {false};
        ctx.request().handler(part -> {
            if (!tooLarge[0] && body.length() + part.length() > maxBodyBytes) {
                tooLarge[0] = true;
                error(ctx, tooLarge());
            } else if (!tooLarge[0]) {
                body.appendBuffer(part);
            }
        });
        ctx.request().endHandler(v -> {
            if (!tooLarge[0]) {
                Thread.ofVirtual().name("direct-stream").start(() -> serve(ctx, context, body));
            }
        });
        ctx.request().resume();
    }

    private boolean declaredTooLarge(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        try {
            return length != null && Long.parseLong(length.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // not ours to judge: Vert.x refuses a malformed Content-Length
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "request_too_large", "the request body is larger than " + maxBodyBytes
                + " bytes (quarkus.http.limits.max-body-size); send large images as https URLs");
    }

    private void serve(RoutingContext ctx, Context context, Buffer body) {
        try {
            String owner = access.tenant(name -> ctx.request().getHeader(name)).orElse(null);
            LlmRequest request = RequestFactory.create(parse(body), owner, limits);
            String id = request.getRequestId();
            writer.send(topics.requests(), id, request);
            String events = "/v1/streams/" + id + "/events?token=" + tokens.issue(id, StreamTokens.Scope.READ);
            context.runOnContext(v -> {
                ctx.response().putHeader("X-Stream-Id", id);
                ctx.reroute(HttpMethod.GET, events);
            });
        } catch (ApiException e) {
            context.runOnContext(v -> error(ctx, e));
        } catch (RuntimeException e) {
            LOG.error("accepting a direct stream failed", e);
            context.runOnContext(v -> error(ctx, new ApiException(500, "internal_error",
                    "the gateway failed to accept the request; its log has the details")));
        }
    }

    private CreateStream parse(Buffer body) {
        if (body == null || body.length() == 0) {
            throw ApiException.badRequest("request body is required: {\"model\":\"mock/echo\",\"messages\":[...]}");
        }
        try {
            return json.readValue(body.getBytes(), CreateStream.class);
        } catch (JsonProcessingException e) {
            throw ApiErrors.malformed(e);
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array failed", e);
        }
    }

    private void error(RoutingContext ctx, ApiException e) {
        if (ctx.response().ended()) {
            return;
        }
        try {
            ctx.response().setStatusCode(e.status()).putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(Map.of("error", JsonFields.ordered("code", e.code(), "message", e.getMessage()))));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
