package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tokenlog.fanout.quota.QuotaExceeded;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves the gateway as JSON {@code {"error":{"code","message"}}} with a precise status. */
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);
    /** A qualified Java type name, optionally with nested-class and array suffixes. */
    private static final Pattern JAVA_TYPE =
            Pattern.compile("(?<![\\w$.])(?:[a-z_][\\w]*\\.)+([A-Z][\\w]*)(?:\\$[\\w]+)*(?:\\[])*");

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), e.code(), e.getMessage());
    }

    /** 429 with the {@code Retry-After} the quota suggests. */
    @ServerExceptionMapper
    public Response quota(QuotaExceeded e) {
        return Response.fromResponse(api(e)).header("Retry-After", e.retryAfter()).build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return api(malformed(e));
    }

    /**
     * A field of the wrong type or shape ({@code "max_tokens":"x"}, {@code "messages":{}}). Without this,
     * Quarkus' own mapper for it answers a bare 400 outside dev and test mode.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return malformedJson(e);
    }

    /** A body Jackson could not read: a 400 naming the field where it went wrong, if any. */
    public static ApiException malformed(JsonProcessingException e) {
        String path = e instanceof JsonMappingException m ? jsonPath(m) : "";
        return new ApiException(400, "malformed_json", path.isEmpty()
                ? "request body is not valid JSON for this endpoint: " + jacksonText(e)
                : path + " has the wrong type or shape: " + jacksonText(e));
    }

    /**
     * Jackson's description of what it could not read, with the gateway's Java types named as JSON types
     * ({@code `java.lang.Integer`} as {@code `integer`}, a request class as {@code `object`}): clients see
     * the problem, never the classes.
     */
    public static String jacksonText(JsonProcessingException e) {
        Matcher m = JAVA_TYPE.matcher(String.valueOf(e.getOriginalMessage()));
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(jsonType(m.group(1))));
        }
        return m.appendTail(sb).toString();
    }

    private static String jsonType(String simpleName) {
        return switch (simpleName) {
            case "String", "Character", "CharSequence" -> "string";
            case "Integer", "Long", "Short", "Byte", "BigInteger" -> "integer";
            case "Double", "Float", "BigDecimal", "Number" -> "number";
            case "Boolean" -> "boolean";
            case "List", "ArrayList", "Collection", "Set", "Iterable" -> "array";
            default -> "object";
        };
    }

    /** {@code messages[0].content} from Jackson's reference chain; empty at the top level. */
    public static String jsonPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** The schema registry refused or did not answer while a record was being written (its address stays in the log). */
    @ServerExceptionMapper
    public Response serialization(org.apache.kafka.common.errors.SerializationException e) {
        LOG.warnf("a request's record could not be serialised: %s", e.toString());
        return json(503, "schema_registry_unavailable", "the request was not accepted because its record could not be"
                + " serialised (the schema registry did not answer as expected); retry shortly");
    }

    /** Quarkus REST reports a body it could not read as a 400 wrapping Jackson's exception: name the field. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        return json(status, status == 415 ? "unsupported_media_type" : "http_" + status,
                "HTTP " + status + (type == null ? "" : " " + type.getReasonPhrase()));
    }

    static Response json(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", Map.of("code", code, "message", message))).build();
    }
}
