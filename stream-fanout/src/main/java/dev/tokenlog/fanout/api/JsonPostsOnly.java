package dev.tokenlog.fanout.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenlog.fanout.JsonFields;
import dev.tokenlog.fanout.openai.OpenAiErrors;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;

/**
 * Every {@code POST} under {@code /v1/} needs {@code Content-Type: application/json}, even one with an
 * empty body such as a cancel: a web page can make a browser send a form, {@code text/plain} or no
 * content type to another site without asking it first (a CORS "simple request"), but not JSON. So a
 * page on another origin cannot start generations or cancel streams on a gateway the browser reaches.
 * Anything else is a 415 in the route's error shape, before authentication and before the body is read.
 */
@ApplicationScoped
public class JsonPostsOnly {
    /** Ahead of every route of the API (the earliest of them run at order -3). */
    private static final int ORDER = -10;

    private final ObjectMapper json;

    public JsonPostsOnly(ObjectMapper json) {
        this.json = json;
    }

    void register(@Observes Router router) {
        router.routeWithRegex(HttpMethod.POST, "/v1/.*").order(ORDER).handler(this::check);
    }

    /** Whether {@code contentType} is {@code application/json}, with or without parameters such as charset. */
    static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.toLowerCase(Locale.ROOT).equals("application/json");
    }

    private void check(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (json(contentType)) {
            ctx.next();
            return;
        }
        String path = ctx.normalizedPath();
        ApiException e = new ApiException(415, "unsupported_media_type", "POST " + path + " needs Content-Type:"
                + " application/json" + (contentType == null ? " and got none" : ", got '" + shorten(contentType) + "'")
                + "; send the body as JSON (an empty body is fine where none is needed)");
        Map<String, Object> body = path.startsWith("/v1/chat/")
                ? OpenAiErrors.body(e, null)
                : Map.of("error", JsonFields.ordered("code", e.code(), "message", e.getMessage()));
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("Connection", "close"); // the body stays unread (HTTP/2 forbids the header)
        }
        try {
            ctx.response().setStatusCode(415).putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String shorten(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "…";
    }
}
