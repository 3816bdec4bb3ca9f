package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.fanout.FanoutKafka;
import dev.tokenlog.fanout.config.TopicsConfig;
import dev.tokenlog.fanout.streams.RequestIndex;
import io.smallrye.common.annotation.Blocking;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

/** Native HTTP API: create a stream, read its status and final answer, cancel it. */
@Path("/v1/streams")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class StreamsResource {
    private static final Logger LOG = Logger.getLogger(StreamsResource.class);
    private static final long SEND_TIMEOUT_SECONDS = 10;

    private final FanoutKafka kafka;
    private final TopicsConfig topics;
    private final RequestIndex index;
    private final StreamTokens tokens;
    private final Access access;
    private final Serializer<LlmRequest> requestSerializer;
    private final Serializer<ControlCommand> controlSerializer;

    public StreamsResource(FanoutKafka kafka, TopicsConfig topics, RequestIndex index, StreamTokens tokens,
                           Access access) {
        this.kafka = kafka;
        this.topics = topics;
        this.index = index;
        this.tokens = tokens;
        this.access = access;
        this.requestSerializer = kafka.clients().serializer(LlmRequest.class);
        this.controlSerializer = kafka.clients().serializer(ControlCommand.class);
    }

    /** Accepts a request: 202 once it is durably in {@code llm.requests}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateStream body, @Context HttpHeaders headers) {
        String owner = access.tenant(headers::getHeaderString).orElse(null);
        LlmRequest request = RequestFactory.create(body, owner);
        String id = request.getRequestId();
        send(topics.requests(), id, requestSerializer, request);
        LOG.debugf("accepted request %s for %s", id, body.model());
        return Response.accepted(Map.of(
                "id", id,
                "events", "/v1/streams/" + id + "/events",
                "token", tokens.issue(id))).build();
    }

    /** Status of a stream and, once it has ended, its final answer. */
    @GET
    @Path("{id}")
    public Map<String, Object> status(@PathParam("id") String id, @QueryParam("token") String token,
                                      @Context HttpHeaders headers) {
        RequestIndex.Lookup found = index.lookup(id);
        access.checkRead(found, headers::getHeaderString, token);
        return found.toJson();
    }

    /** Asks the worker running the stream to stop it; the stream then ends with {@code cancelled}. */
    @POST
    @Path("{id}/cancel")
    public Response cancel(@PathParam("id") String id, @QueryParam("token") String token,
                           @Context HttpHeaders headers) {
        RequestIndex.Lookup found = index.lookup(id);
        access.checkRead(found, headers::getHeaderString, token);
        if (found.answer() != null) {
            return Response.status(409).entity(Map.of("error", Map.of("code", "already_ended",
                    "message", "stream " + id + " already ended with status " + found.answer().getStatus()))).build();
        }
        ControlCommand command = new ControlCommand(id, ControlType.CANCEL, "cancelled by client", Instant.now(), null);
        send(topics.control(), id, controlSerializer, command);
        return Response.accepted(Map.of("id", id, "status", "CANCELLING")).build();
    }

    private <T extends SpecificRecord> void send(String topic, String key, Serializer<T> serializer, T value) {
        try {
            kafka.producer().send(new ProducerRecord<>(topic, key, serializer.serialize(topic, value)))
                    .get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            if (e.getCause() instanceof RecordTooLargeException tooLarge) {
                // Inline images travel inside the record: its size, not Kafka's health, is the problem.
                throw new ApiException(413, "request_too_large", "the request does not fit in one record of " + topic
                        + " (" + tooLarge.getMessage() + "); send large images as https URLs, or ask the operator to"
                        + " raise the producer's max.request.size and the topic's max.message.bytes");
            }
            LOG.errorf("writing to %s failed: %s", topic, e.toString());
            throw new ApiException(503, "kafka_unavailable",
                    "the request was not accepted because Kafka did not acknowledge it in time; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "the gateway is shutting down; retry");
        }
    }
}
