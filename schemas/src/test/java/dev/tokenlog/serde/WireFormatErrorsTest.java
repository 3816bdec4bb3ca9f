package dev.tokenlog.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.ControlCommand;
import dev.tokenlog.avro.ControlType;
import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import dev.tokenlog.registry.SchemaRegistryException;
import dev.tokenlog.registry.StubRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Payloads that are not valid framed records fail with messages that say what was found. */
class WireFormatErrorsTest {
    private static final String TOPIC = "llm.control";

    private final StubRegistry stub = new StubRegistry();
    private final SchemaRegistryClient client = new SchemaRegistryClient(RegistryConfig.of(stub.url()));
    private final AvroDeserializer<ControlCommand> deserializer = new AvroDeserializer<>(ControlCommand.class, client);

    WireFormatErrorsTest() throws IOException {}

    @AfterEach
    void close() {
        client.close();
        stub.close();
    }

    @Test
    void nullPayloadIsATombstone() {
        assertThat(deserializer.deserialize(TOPIC, null)).isNull();
    }

    @Test
    void emptyPayloadIsRejected() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Empty payload on topic 'llm.control'")
                .hasMessageContaining("Tombstones must be null");
    }

    @Test
    void wrongMagicByteSaysWhatWasFound() {
        byte[] json = "{\"requestId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte 0x7b on topic 'llm.control' (expected 0x00)")
                .hasMessageContaining("not Confluent-wire-format Avro");
    }

    @Test
    void payloadShorterThanTheHeaderIsTruncated() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated record on topic 'llm.control': 3 bytes")
                .hasMessageContaining("at least 5");
    }

    @Test
    void truncatedAvroBodyIsReported() {
        byte[] whole = serializer().serialize(TOPIC, command());
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated Avro body on topic 'llm.control'")
                .hasMessageContaining("schema id 1");
    }

    @Test
    void headerOnlyIsATruncatedBody() {
        serializer().serialize(TOPIC, command()); // registers schema id 1
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated Avro body");
    }

    @Test
    void unknownSchemaIdIsReported() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0, 0x30, 0x39, 2, 'x'}))
                .isInstanceOf(SchemaRegistryException.UnknownSchemaId.class)
                .hasMessageContaining("Schema id 12345 is not known to the schema registry at " + stub.url());
    }

    @Test
    void roundTripsThroughTheFrame() {
        byte[] bytes = serializer().serialize(TOPIC, command());

        assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
        assertThat(WireFormat.schemaId(TOPIC, bytes)).isEqualTo(1);
        assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(command());
    }

    private AvroSerializer<ControlCommand> serializer() {
        return new AvroSerializer<>(client, false);
    }

    private static ControlCommand command() {
        return ControlCommand.newBuilder().setRequestId("r-1").setType(ControlType.CANCEL)
                .setReason("user pressed stop").setIssuedAt(Instant.ofEpochMilli(1_700_000_000_123L)).build();
    }
}
