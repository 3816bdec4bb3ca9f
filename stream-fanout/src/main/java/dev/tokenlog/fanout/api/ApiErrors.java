package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves the gateway as JSON {@code {"error":{"code","message"}}} with a precise status. */
public class ApiErrors {

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return json(400, "malformed_json", "request body is not valid JSON for this endpoint: " + e.getOriginalMessage());
    }

    /** The schema registry refused or did not answer while a record was being written. */
    @ServerExceptionMapper
    public Response serialization(org.apache.kafka.common.errors.SerializationException e) {
        return json(503, "schema_registry_unavailable",
                "the request was not accepted because its record could not be serialised: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return json(status, status == 415 ? "unsupported_media_type" : "http_" + status, e.getMessage());
    }

    static Response json(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", Map.of("code", code, "message", message))).build();
    }
}
