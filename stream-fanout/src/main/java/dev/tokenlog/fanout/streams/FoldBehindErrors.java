package dev.tokenlog.fanout.streams;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** {@link FoldBehind} as the API's error JSON, with {@code Retry-After}. */
public class FoldBehindErrors {

    @ServerExceptionMapper
    public Response foldBehind(FoldBehind e) {
        return Response.status(503).type(MediaType.APPLICATION_JSON)
                .header("Retry-After", String.valueOf(FoldBehind.RETRY_AFTER_SECONDS))
                .entity(Map.of("error", Map.of("code", e.code(), "message", e.getMessage()))).build();
    }
}
