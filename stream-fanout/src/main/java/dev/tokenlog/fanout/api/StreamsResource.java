package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.quota.Admission;
import dev.tokenlog.fanout.quota.Quotas;
import dev.tokenlog.fanout.streams.RequestIndex;
import dev.tokenlog.fanout.streams.SettledStatus;
import dev.tokenlog.schemas.limits.RequestLimits;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import org.jboss.logging.Logger;

/** Native HTTP API: create a stream, read its status and final answer, cancel it. */
@Path("/v1/streams")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class StreamsResource {
    private static final Logger LOG = Logger.getLogger(StreamsResource.class);

    private final RecordWriter writer;
    private final TopicsConfig topics;
    private final StreamTokens tokens;
    private final Access access;
    private final Quotas quotas;
    private final RequestLimits limits;
    private final SettledStatus settled;

    public StreamsResource(RecordWriter writer, TopicsConfig topics, StreamTokens tokens,
                           Access access, Quotas quotas, RequestLimits limits, SettledStatus settled) {
        this.writer = writer;
        this.topics = topics;
        this.tokens = tokens;
        this.access = access;
        this.quotas = quotas;
        this.limits = limits;
        this.settled = settled;
    }

    /** Accepts a request: 202 once it is durably in {@code llm.requests}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateStream body, @Context HttpHeaders headers, @Context HttpServerRequest http) {
        String owner = access.tenant(headers::getHeaderString).orElse(null);
        LlmRequest request = RequestFactory.create(body, owner, limits);
        String id = request.getRequestId();
        try (Admission admission = quotas.admit(quotas.tenant(owner, http.remoteAddress()), false)) {
            writer.send(topics.requests(), id, request);
            admission.accepted(request);
        }
        LOG.debugf("accepted request %s for %s", id, body.model());
        return Response.accepted(Map.of(
                "id", id,
                "events", "/v1/streams/" + id + "/events",
                "token", tokens.issue(id, StreamTokens.Scope.READ),
                "cancel_token", tokens.issue(id, StreamTokens.Scope.CANCEL))).build();
    }

    /**
     * Status of a stream and, once it has ended, its final answer. Read-your-writes: once the stream's
     * terminal is in the log (a client saw {@code done}), this answers the final answer, never an earlier
     * status ({@link SettledStatus}).
     */
    @GET
    @Path("{id}")
    public Map<String, Object> status(@PathParam("id") String id, @QueryParam("token") String token,
                                      @Context HttpHeaders headers) {
        return settled.settle(access.lookup(id, StreamTokens.Scope.READ, headers::getHeaderString, token)).toJson();
    }

    /**
     * Asks the worker running the stream to stop it; the stream then ends with {@code cancelled}. With API
     * keys on it takes the owner's key or the stream's {@code cancel_token}, never its read token.
     */
    @POST
    @Path("{id}/cancel")
    public Response cancel(@PathParam("id") String id, @QueryParam("token") String token,
                           @Context HttpHeaders headers) {
        RequestIndex.Lookup found = access.lookup(id, StreamTokens.Scope.CANCEL, headers::getHeaderString, token);
        if (found.answer() != null) {
            return Response.status(409).entity(Map.of("error", Map.of("code", "already_ended",
                    "message", "stream " + id + " already ended with status " + found.answer().getStatus()))).build();
        }
        ControlCommand command = new ControlCommand(id, ControlType.CANCEL, "cancelled by client", Instant.now(), null);
        writer.send(topics.control(), id, command);
        return Response.accepted(Map.of("id", id, "status", "CANCELLING")).build();
    }
}
