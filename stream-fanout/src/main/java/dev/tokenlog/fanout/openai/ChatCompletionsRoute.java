package dev.tokenlog.fanout.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.fanout.api.Access;
import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.fanout.api.RecordWriter;
import dev.tokenlog.fanout.api.RequestFactory;
import dev.tokenlog.fanout.config.GatewayConfig;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.quota.Admission;
import dev.tokenlog.fanout.quota.Quota;
import dev.tokenlog.fanout.quota.QuotaExceeded;
import dev.tokenlog.fanout.quota.Quotas;
import dev.tokenlog.schemas.limits.RequestLimits;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible, so OpenAI SDKs work unchanged. The request is
 * validated like {@code POST /v1/streams} and written to {@code llm.requests}; every answer after
 * that carries {@code X-Stream-Id}. With {@code stream: true} the call continues as
 * {@code GET /v1/streams/{id}/events?format=openai} (a re-route inside the gateway), so the streamed
 * chunks are exactly what that URL replays and resumes. With {@code stream: false} it waits, up to
 * {@code tokenlog.gateway.completion-timeout}, for the final answer and returns a
 * {@code chat.completion}. Errors are OpenAI error objects.
 */
@ApplicationScoped
public class ChatCompletionsRoute {
    static final String PATH = "/v1/chat/completions";
    private static final Logger LOG = Logger.getLogger(ChatCompletionsRoute.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordWriter writer;
    private final TopicsConfig topics;
    private final GatewayConfig config;
    private final AnswerWaiter answers;
    private final ModelAliases aliases;
    private final Access access;
    private final Quotas quotas;
    private final long maxBodyBytes;
    private final RequestLimits limits;

    public ChatCompletionsRoute(RecordWriter writer, TopicsConfig topics, GatewayConfig config, AnswerWaiter answers,
                                Access access, Quotas quotas, RequestLimits limits,
                                @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M")
                                MemorySize maxBody) {
        this.writer = writer;
        this.topics = topics;
        this.config = config;
        this.answers = answers;
        this.aliases = new ModelAliases(config.aliases());
        this.access = access;
        this.quotas = quotas;
        this.maxBodyBytes = maxBody.asLongValue();
        this.limits = limits;
    }

    void register(@Observes Router router) {
        // Ahead of Quarkus' own body-size check (order -2), so an oversized body gets an OpenAI error too.
        router.post(PATH).order(-3)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::handle)
                .failureHandler(this::failed);
    }

    private void handle(RoutingContext ctx) {
        AtomicBoolean closed = new AtomicBoolean();
        ctx.response().closeHandler(v -> closed.set(true));
        Context context = Vertx.currentContext();
        Thread.ofVirtual().name("chat-completion").start(() -> serve(ctx, context, closed));
    }

    private void serve(RoutingContext ctx, Context context, AtomicBoolean closed) {
        String id = null;
        Admission admission = null;
        try {
            String owner = access.tenant(name -> ctx.request().getHeader(name)).orElse(null);
            Buffer bytes = ctx.body().buffer();
            ChatCompletionRequest body = ChatRequestMapper.parse(bytes == null ? null : bytes.getBytes());
            LlmRequest request = RequestFactory.create(ChatRequestMapper.map(body, aliases), owner, limits);
            // Quotas before the request is written, so that a 429 never leaves a generation running.
            String tenant = quotas.tenant(owner, ctx.request().remoteAddress());
            if (body.streaming()) {
                quotas.check(Quota.SUBSCRIPTIONS, tenant); // the events route it continues as counts the subscription
            }
            admission = quotas.admit(tenant, !body.streaming());
            id = request.getRequestId();
            writer.send(topics.requests(), id, request);
            admission.accepted(request);
            if (body.streaming()) {
                String events = "/v1/streams/" + id + "/events?format=openai"
                        + (body.includeUsage() ? "&include_usage=true" : "");
                context.runOnContext(v -> ctx.reroute(HttpMethod.GET, events));
                return;
            }
            FinalAnswer answer = answers.await(id, config.completionTimeout(), closed);
            admission.close(); // no longer waiting: free before the client can send its next call
            if (answer != null) {
                answer(ctx, answer);
            }
        } catch (ApiException e) {
            if (e instanceof QuotaExceeded q) {
                ctx.response().putHeader("Retry-After", q.retryAfter());
            }
            // Once the request is in Kafka (id set) it runs on: a retry by the SDK would start a second generation.
            respond(ctx, id, e.status(), OpenAiErrors.body(e), id == null);
        } catch (RuntimeException e) {
            LOG.errorf(e, "chat completion %s failed", id);
            respond(ctx, id, 500, OpenAiWire.error("the gateway failed to handle the request; its log has the details",
                    "server_error", null, "internal_error"), id == null);
        } finally {
            if (admission != null) {
                admission.close();
            }
        }
    }

    private void answer(RoutingContext ctx, FinalAnswer answer) {
        String id = answer.getRequestId();
        switch (answer.getStatus()) {
            case COMPLETED -> respond(ctx, id, 200, ChatCompletionJson.of(answer), true);
            case CANCELLED -> respond(ctx, id, 409, OpenAiWire.error("the request was cancelled: "
                    + (answer.getError() == null ? "" : answer.getError().getMessage()), "request_cancelled", null,
                    "cancelled"), false);
            default -> {
                String code = answer.getError() == null ? answer.getStatus().name() : answer.getError().getCode();
                String message = answer.getError() == null ? answer.getStatus().name() : answer.getError().getMessage();
                OpenAiWire.Failure failure = OpenAiWire.failure(code);
                respond(ctx, id, failure.status(), OpenAiWire.error(message, failure.type(), null, code.toLowerCase()),
                        true);
            }
        }
    }

    /** An oversized body (413 from the body handler) or a failure on the event loop. */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        if (status == 413) {
            respond(ctx, null, 413, OpenAiWire.error("the request body is larger than " + maxBodyBytes + " bytes (quarkus"
                    + ".http.limits.max-body-size); send large images as https URLs", "invalid_request_error", null,
                    "request_too_large"), false);
        } else {
            LOG.errorf(ctx.failure(), "chat completion failed with %d", status);
            respond(ctx, null, status, OpenAiWire.error("the request failed (" + status + ")", OpenAiErrors.typeOf(status),
                    null, "http_" + status), true);
        }
    }

    private static void respond(RoutingContext ctx, String id, int status, Map<String, Object> body, boolean retry) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
            if (id != null) {
                ctx.response().putHeader("X-Stream-Id", id);
            }
            if (!retry) {
                ctx.response().putHeader("x-should-retry", "false"); // honoured by OpenAI's SDKs
            }
            ctx.response().end(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a response", e);
        }
    }
}
