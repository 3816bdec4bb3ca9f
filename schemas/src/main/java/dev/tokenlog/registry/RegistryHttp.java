package dev.tokenlog.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.errors.InterruptException;

/**
 * HTTP plumbing of {@link SchemaRegistryClient}: builds authenticated JSON requests, turns transport
 * failures into {@link SchemaRegistryException.Unreachable} and is the one place that maps
 * unexpected statuses to exceptions.
 */
final class RegistryHttp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistryConfig config;
    private final HttpClient client;
    private final Optional<String> authorization;

    /** A registry answer: status and parsed JSON body (a missing node when the body is not JSON). */
    record Reply(int status, JsonNode body, String rawBody, String url) {
        /** The registry's {@code message}, or the raw body (shortened) when there is none. */
        String message() {
            JsonNode message = body.path("message");
            if (message.isTextual()) {
                return message.asText();
            }
            String raw = rawBody.strip();
            return raw.isEmpty() ? "(empty body)" : raw.length() > 300 ? raw.substring(0, 300) + "..." : raw;
        }

        /**
         * Whether this is a registry's own 404 (Confluent error codes 40401 subject, 40402 version,
         * 40403 schema not found) rather than a 404 for a path the server does not serve at all.
         */
        boolean isRegistryNotFound() {
            return status == 404 && body.path("error_code").asInt() / 100 == 404;
        }

        int intField(String operation, String name) {
            JsonNode node = body.path(name);
            if (!node.canConvertToInt()) {
                throw malformed(operation, name);
            }
            return node.intValue();
        }

        String textField(String operation, String name) {
            JsonNode node = body.path(name);
            if (!node.isTextual()) {
                throw malformed(operation, name);
            }
            return node.asText();
        }

        boolean booleanField(String operation, String name) {
            JsonNode node = body.path(name);
            if (!node.isBoolean()) {
                throw malformed(operation, name);
            }
            return node.booleanValue();
        }

        private SchemaRegistryException malformed(String operation, String field) {
            return new SchemaRegistryException.HttpError(operation, status,
                    "answer has no valid '" + field + "' field: " + message(), url);
        }
    }

    RegistryHttp(RegistryConfig config) {
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout());
        config.tls().ifPresent(tls -> builder.sslContext(tls.sslContext()));
        this.client = builder.build();
        this.authorization = config.basicAuth()
                .map(userPassword -> "Basic " + Base64.getEncoder()
                        .encodeToString(userPassword.getBytes(StandardCharsets.UTF_8)))
                .or(() -> config.bearerToken().map(token -> "Bearer " + token));
    }

    Reply get(String operation, String path) {
        return send(operation, request(path).GET());
    }

    Reply post(String operation, String path, Object body) {
        return send(operation, request(path).POST(HttpRequest.BodyPublishers.ofString(json(body))));
    }

    Reply put(String operation, String path, Object body) {
        return send(operation, request(path).PUT(HttpRequest.BodyPublishers.ofString(json(body))));
    }

    /** The exception for a status the calling operation does not handle itself. */
    SchemaRegistryException failure(String operation, Reply reply) {
        return switch (reply.status()) {
            case 401, 403 -> new SchemaRegistryException.AuthFailed(reply.status(), config.redactedUrl());
            case 404 -> new SchemaRegistryException.HttpError(operation, 404, reply.message() + ". This URL does not "
                    + "serve the Confluent schema-registry API: check tokenlog.registry.url (for Apicurio Registry it "
                    + "ends in /apis/ccompat/v7)", config.redactedUrl());
            default -> new SchemaRegistryException.HttpError(operation, reply.status(), reply.message(),
                    config.redactedUrl());
        };
    }

    /** Encodes one path segment (a subject name). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        client.close();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(config.url() + path))
                .timeout(config.timeout())
                .header("Accept", CONTENT_TYPE + ", application/json")
                .header("Content-Type", CONTENT_TYPE);
        authorization.ifPresent(value -> builder.header("Authorization", value));
        return builder;
    }

    private Reply send(String operation, HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), parse(response.body()), response.body(), config.redactedUrl());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("connect timed out after " + config.timeout().toMillis() + " ms", operation, e);
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + config.timeout().toMillis() + " ms", operation, e);
        } catch (ConnectException e) {
            throw unreachable("connection refused", operation, e);
        } catch (IOException e) {
            throw unreachable(e.getClass().getSimpleName(), operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException("Interrupted while trying to " + operation, e);
        }
    }

    private SchemaRegistryException unreachable(String what, String operation, IOException cause) {
        return new SchemaRegistryException.Unreachable(config.redactedUrl(), what + " while trying to " + operation,
                cause);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.missingNode() : node;
        } catch (JsonProcessingException e) {
            return JSON.missingNode();
        }
    }

    private static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode registry request body", e);
        }
    }
}
