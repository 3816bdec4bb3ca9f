package dev.tokenlog.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.ChunkRecord;
import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.TextDelta;
import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import dev.tokenlog.registry.SchemaRegistryException;
import dev.tokenlog.testsupport.TestRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The serdes and the registry client against the real Apicurio Registry (Confluent-compatible API). */
class AvroSerdeRegistryIntegrationTest {
    private static SchemaRegistryClient admin;

    @BeforeAll
    static void connect() {
        admin = new SchemaRegistryClient(RegistryConfig.of(TestRegistry.shared().ccompatUrl()));
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    private static String freshTopic(String name) {
        return "it." + name + "." + UUID.randomUUID();
    }

    private static Map<String, Object> config(boolean autoRegister) {
        return Map.of(RegistryConfig.URL, TestRegistry.shared().ccompatUrl(),
                RegistryConfig.AUTO_REGISTER, Boolean.toString(autoRegister));
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> AvroSerde<T> serdeFor(T record, boolean autoRegister) {
        return AvroSerdes.serde((Class<T>) record.getClass(), config(autoRegister));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tokenlog.serde.SampleRecords#all")
    <T extends SpecificRecord> void roundTripsEveryRecordTypeThroughTheRegistry(String name, T record) {
        String topic = freshTopic("roundtrip");
        try (AvroSerde<T> serde = serdeFor(record, true)) {
            byte[] bytes = serde.serializer().serialize(topic, record);
            T read = serde.deserializer().deserialize(topic, bytes);

            assertThat(read).isEqualTo(record);
            assertThat(WireFormat.schemaId(topic, bytes)).isEqualTo(admin.lookup(topic + "-value", record.getSchema()));
        }
        // A second, independent deserializer fetches the writer schema by id from the registry.
        try (AvroSerde<T> writer = serdeFor(record, true); AvroSerde<T> reader = serdeFor(record, true)) {
            assertThat(reader.deserializer().deserialize(topic, writer.serializer().serialize(topic, record)))
                    .isEqualTo(record);
        }
    }

    @Test
    void registersUnderTopicNameStrategySubjects() {
        String topic = freshTopic("subjects");
        ControlCommand command = SampleRecords.command();
        try (AvroSerde<ControlCommand> values = AvroSerdes.serde(ControlCommand.class, config(true));
             AvroSerde<ControlCommand> keys = AvroSerdes.keySerde(ControlCommand.class, config(true))) {
            values.serializer().serialize(topic, command);
            keys.serializer().serialize(topic, command);
        }
        assertThat(admin.latest(topic + "-value")).contains(ControlCommand.getClassSchema());
        assertThat(admin.latest(topic + "-key")).contains(ControlCommand.getClassSchema());
        assertThat(admin.latest(topic + "-other")).isEmpty();
    }

    @Test
    void autoRegisterOffFailsClearlyForAnUnregisteredSubject() {
        String topic = freshTopic("unregistered");
        try (AvroSerde<ChunkRecord> serde = AvroSerdes.serde(ChunkRecord.class, config(false))) {
            assertThatThrownBy(() -> serde.serializer().serialize(topic, SampleRecords.chunk(new TextDelta("x"))))
                    .isInstanceOfSatisfying(SchemaRegistryException.NotRegistered.class,
                            e -> assertThat(e.subject()).isEqualTo(topic + "-value"))
                    .hasMessageContaining("not registered under subject '" + topic + "-value'")
                    .hasMessageContaining("auto-registration is off (tokenlog.registry.auto-register=false)")
                    .hasMessageContaining(TestRegistry.shared().ccompatUrl());
        }
    }

    @Test
    void autoRegisterOffUsesTheIdRegisteredBeforehand() {
        String topic = freshTopic("preregistered");
        int id = admin.register(topic + "-value", ChunkRecord.getClassSchema());
        try (AvroSerde<ChunkRecord> serde = AvroSerdes.serde(ChunkRecord.class, config(false))) {
            byte[] bytes = serde.serializer().serialize(topic, SampleRecords.chunk(new TextDelta("x")));
            assertThat(WireFormat.schemaId(topic, bytes)).isEqualTo(id);
        }
    }

    @Test
    void incompatibleSchemaUnderBackwardIsRefusedWithTheRegistryMessage() {
        String topic = freshTopic("incompatible");
        String subject = topic + "-value";
        // v1 has no issuedAt; the current schema adds it without a default, which BACKWARD forbids.
        admin.register(subject, Schemas.without(ControlCommand.getClassSchema(), "issuedAt"));
        admin.setCompatibility(subject, "BACKWARD");

        assertThat(admin.isCompatible(subject, ControlCommand.getClassSchema())).isFalse();
        try (AvroSerde<ControlCommand> serde = AvroSerdes.serde(ControlCommand.class, config(true))) {
            ControlCommand command = SampleRecords.command();
            assertThatThrownBy(() -> serde.serializer().serialize(topic, command))
                    .isInstanceOfSatisfying(SchemaRegistryException.IncompatibleSchema.class,
                            e -> assertThat(e.subject()).isEqualTo(subject))
                    .hasMessageContaining("Schema for subject '" + subject + "' is not compatible")
                    .hasMessageContaining("issuedAt")
                    .hasMessageContaining("add fields with defaults");
        }
    }

    @Test
    void unknownSchemaIdIsReportedWithTheId() {
        try (AvroSerde<ChunkRecord> serde = AvroSerdes.serde(ChunkRecord.class, config(true))) {
            byte[] bytes = WireFormat.frame(1_999_999_999, new byte[] {2, 'x'});
            assertThatThrownBy(() -> serde.deserializer().deserialize("llm.chunks", bytes))
                    .isInstanceOfSatisfying(SchemaRegistryException.UnknownSchemaId.class,
                            e -> assertThat(e.id()).isEqualTo(1_999_999_999))
                    .hasMessageContaining("Schema id 1999999999 is not known to the schema registry at "
                            + TestRegistry.shared().ccompatUrl());
        }
    }

    @Test
    void unreachableRegistryNamesTheUrlAndNoCredentials() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7";
        Map<String, Object> config = Map.of(RegistryConfig.URL, url,
                RegistryConfig.BASIC_AUTH, "svc:hunter2", RegistryConfig.TIMEOUT_MS, "1000");
        try (AvroSerde<ChunkRecord> serde = AvroSerdes.serde(ChunkRecord.class, config)) {
            assertThatThrownBy(() -> serde.serializer().serialize("llm.chunks", SampleRecords.chunk(new TextDelta("x"))))
                    .isInstanceOf(SchemaRegistryException.Unreachable.class)
                    .hasMessageContaining("Schema registry at " + url + " is unreachable (connection refused")
                    .hasMessageContaining("register a schema under subject 'llm.chunks-value'")
                    .message().doesNotContain("hunter2");
        }
    }

    @Test
    void cachedIdIsUsedWithoutAskingTheRegistryAgain() throws Exception {
        String topic = freshTopic("cache");
        String subject = topic + "-value";
        admin.register(subject, ChunkRecord.getClassSchema());
        try (AvroSerde<ChunkRecord> serde = AvroSerdes.serde(ChunkRecord.class, config(false))) {
            byte[] first = serde.serializer().serialize(topic, SampleRecords.chunk(new TextDelta("a")));
            deleteSubject(subject);
            // The registry would now refuse the lookup...
            try (SchemaRegistryClient fresh = new SchemaRegistryClient(
                    RegistryConfig.of(TestRegistry.shared().ccompatUrl()).withAutoRegister(false))) {
                assertThatThrownBy(() -> fresh.lookup(subject, ChunkRecord.getClassSchema()))
                        .isInstanceOf(SchemaRegistryException.NotRegistered.class);
            }
            // ...so a second serialize that succeeds with the same id did not ask it.
            byte[] second = serde.serializer().serialize(topic, SampleRecords.chunk(new TextDelta("b")));
            assertThat(WireFormat.schemaId(topic, second)).isEqualTo(WireFormat.schemaId(topic, first));
        }
    }

    private static void deleteSubject(String subject) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(TestRegistry.shared().ccompatUrl() + "/subjects/" + subject)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
    }
}
