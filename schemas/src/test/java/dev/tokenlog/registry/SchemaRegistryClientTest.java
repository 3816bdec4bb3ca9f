package dev.tokenlog.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client alone, against a local HTTP stub: headers, caching, status mapping, secrets. */
class SchemaRegistryClientTest {
    private static final Schema SCHEMA = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").endRecord();

    private final StubRegistry stub = new StubRegistry();

    SchemaRegistryClientTest() throws IOException {}

    @AfterEach
    void stopStub() {
        stub.close();
    }

    private SchemaRegistryClient client(Optional<String> basic, Optional<String> bearer) {
        return new SchemaRegistryClient(new RegistryConfig(stub.url(), basic, bearer, Duration.ofSeconds(2), true));
    }

    @Test
    void sendsBasicAuthorizationHeader() {
        try (SchemaRegistryClient client = client(Optional.of("alice:s3cret"), Optional.empty())) {
            client.register("t-value", SCHEMA);
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes());
        assertThat(stub.authorizations()).containsExactly(expected);
    }

    @Test
    void sendsBearerAuthorizationHeader() {
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.of("tok3n"))) {
            client.register("t-value", SCHEMA);
        }
        assertThat(stub.authorizations()).containsExactly("Bearer tok3n");
    }

    @Test
    void sendsNoAuthorizationHeaderWhenNoneConfigured() {
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
            client.register("t-value", SCHEMA);
        }
        assertThat(stub.authorizations()).containsExactly("");
    }

    @Test
    void cachesRegisteredIdsAndFetchedSchemas() {
        stub.putSchema(42, SCHEMA.toString());
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
            int first = client.register("t-value", SCHEMA);
            int second = client.register("t-value", SCHEMA);
            Schema byId = client.schemaById(42);
            Schema again = client.schemaById(42);
            // An id just registered is known without asking the registry again.
            Schema registered = client.schemaById(first);

            assertThat(second).isEqualTo(first);
            assertThat(again).isSameAs(byId).isEqualTo(SCHEMA);
            assertThat(registered).isEqualTo(SCHEMA);
            assertThat(client.cachedIdCount()).isEqualTo(1);
        }
        assertThat(stub.requestCount()).isEqualTo(2);
    }

    @Test
    void authFailureSaysWhatToCheckWithoutLeakingSecrets() {
        stub.failWith(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        try (SchemaRegistryClient client = client(Optional.of("alice:s3cret"), Optional.empty())) {
            assertThatThrownBy(() -> client.register("t-value", SCHEMA))
                    .isInstanceOf(SchemaRegistryException.AuthFailed.class)
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining("tokenlog.registry.basic-auth")
                    .hasMessageContaining(stub.url())
                    .message().doesNotContain("s3cret");
        }
        stub.failWith(403, "");
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.of("tok3n"))) {
            assertThatThrownBy(() -> client.schemaById(7))
                    .isInstanceOf(SchemaRegistryException.AuthFailed.class)
                    .hasMessageContaining("HTTP 403 (forbidden)")
                    .message().doesNotContain("tok3n");
        }
    }

    @Test
    void otherHttpErrorsCarryStatusAndRegistryMessage() {
        stub.failWith(500, "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
            assertThatThrownBy(() -> client.register("t-value", SCHEMA))
                    .isInstanceOfSatisfying(SchemaRegistryException.HttpError.class,
                            e -> assertThat(e.isTransient()).as("a 5xx may pass").isTrue())
                    .hasMessageContaining("register a schema under subject 't-value'")
                    .hasMessageContaining("HTTP 500: Error in the backend data store");
        }
    }

    @Test
    void notFoundFromAServerThatIsNoRegistryPointsAtTheUrl() {
        stub.failWith(404, "<html>Not Found</html>");
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
            assertThatThrownBy(() -> client.lookup("t-value", SCHEMA))
                    .isInstanceOf(SchemaRegistryException.HttpError.class)
                    .hasMessageContaining("HTTP 404")
                    .matches(e -> !SchemaRegistryException.isTransient(e), "a 404 is no transient failure")
                    .hasMessageContaining("check tokenlog.registry.url (for Apicurio Registry it ends in /apis/ccompat/v7)");
            assertThatThrownBy(() -> client.schemaById(3)).isInstanceOf(SchemaRegistryException.HttpError.class);
            assertThatThrownBy(() -> client.latest("t-value")).isInstanceOf(SchemaRegistryException.HttpError.class);
        }
    }

    @Test
    void registryNotFoundAnswersMeanNotRegisteredOrAbsent() {
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
            assertThatThrownBy(() -> client.lookup("t-value", SCHEMA))
                    .isInstanceOf(SchemaRegistryException.NotRegistered.class);
            assertThatThrownBy(() -> client.schemaById(3)).isInstanceOf(SchemaRegistryException.UnknownSchemaId.class);
            assertThat(client.latest("t-value")).isEmpty();
            assertThat(client.isCompatible("t-value", SCHEMA)).isTrue();
        }
    }

    @Test
    void malformedAnswerIsReportedNotMisread() {
        stub.failWith(200, "<html>proxy login</html>");
        try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
            assertThatThrownBy(() -> client.register("t-value", SCHEMA))
                    .isInstanceOf(SchemaRegistryException.HttpError.class)
                    .hasMessageContaining("no valid 'id' field")
                    .hasMessageContaining("<html>proxy login</html>");
        }
    }

    @Test
    void unreachableRegistryNamesTheUrlButNoCredentials() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7";
        RegistryConfig config = new RegistryConfig(url, Optional.of("alice:s3cret"), Optional.empty(),
                Duration.ofSeconds(2), true);
        try (SchemaRegistryClient client = new SchemaRegistryClient(config)) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOf(SchemaRegistryException.Unreachable.class)
                    .hasMessageContaining(url)
                    .hasMessageContaining("connection refused")
                    .hasMessageContaining("fetch schema id 1")
                    .matches(e -> SchemaRegistryException.isTransient(new RuntimeException("wrapped", e)),
                            "unreachable is transient, also when wrapped")
                    .message().doesNotContain("s3cret").doesNotContain("alice");
        }
    }

    @Test
    void slowRegistryTimesOutWithClearMessage() throws IOException {
        // A socket that accepts connections but never answers.
        try (ServerSocket silent = new ServerSocket(0)) {
            RegistryConfig config = new RegistryConfig("http://127.0.0.1:" + silent.getLocalPort(), Optional.empty(),
                    Optional.empty(), Duration.ofMillis(300), true);
            try (SchemaRegistryClient client = new SchemaRegistryClient(config)) {
                assertThatThrownBy(() -> client.schemaById(1))
                        .isInstanceOf(SchemaRegistryException.Unreachable.class)
                        .hasMessageContaining("no answer within 300 ms");
            }
        }
    }

    @Test
    void onlyRegistryFailuresThatMayPassAreTransient() {
        for (int status : new int[] {408, 429, 500, 502, 503}) {
            stub.failWith(status, "{\"message\":\"busy\"}");
            try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
                assertThatThrownBy(() -> client.schemaById(7)).as("HTTP %d", status)
                        .matches(SchemaRegistryException::isTransient, "transient");
            }
        }
        for (int status : new int[] {400, 401, 403, 409, 422}) {
            stub.failWith(status, "{\"message\":\"no\"}");
            try (SchemaRegistryClient client = client(Optional.empty(), Optional.empty())) {
                assertThatThrownBy(() -> client.register("t-value", SCHEMA)).as("HTTP %d", status)
                        .isInstanceOf(SchemaRegistryException.class)
                        .matches(e -> !SchemaRegistryException.isTransient(e), "not transient");
            }
        }
        assertThat(SchemaRegistryException.isTransient(new IllegalStateException("bad bytes"))).isFalse();
    }
}
