package dev.tokenlog.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenlog.avro.AnswerStatus;
import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.registry.RegistryConfig;
import dev.tokenlog.registry.SchemaRegistryClient;
import dev.tokenlog.testsupport.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.UUID;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records written with another version of a schema, registered in the real registry, read into the
 * generated class through Avro schema resolution.
 */
class SchemaResolutionIntegrationTest {
    /** Fields of FinalAnswer that have defaults; an older writer may lack them. */
    private static final String[] DEFAULTED = {"reasoning", "toolCalls", "finishReason", "rawFinishReason", "usage",
        "provider", "model", "gaps", "createdAt", "firstTokenAt", "error", "chunkPartition", "firstChunkOffset",
        "truncated"};

    private static SchemaRegistryClient client;
    private final String topic = "it.resolution." + UUID.randomUUID();

    @BeforeAll
    static void connect() {
        client = new SchemaRegistryClient(RegistryConfig.of(TestRegistry.shared().ccompatUrl()));
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @Test
    void olderWriterWithoutDefaultedFieldsReadsWithDefaultsFilledIn() throws IOException {
        Schema older = Schemas.without(FinalAnswer.getClassSchema(), DEFAULTED);
        int olderId = client.register(topic + "-value", older);
        GenericRecord record = new GenericData.Record(older);
        record.put("requestId", "r-1");
        record.put("status", new GenericData.EnumSymbol(older.getField("status").schema(), "COMPLETED"));
        record.put("text", "Hi");
        record.put("attempts", 1);
        record.put("chunkCount", 4L);
        record.put("completedAt", SampleRecords.T0.toEpochMilli());

        FinalAnswer read = deserializer().deserialize(topic, WireFormat.frame(olderId, encode(older, record)));

        assertThat(read.getRequestId()).isEqualTo("r-1");
        assertThat(read.getStatus()).isEqualTo(AnswerStatus.COMPLETED);
        assertThat(read.getCompletedAt()).isEqualTo(SampleRecords.T0);
        assertThat(read.getReasoning()).isEmpty();
        assertThat(read.getToolCalls()).isEmpty();
        assertThat(read.getGaps()).isZero();
        assertThat(read.getUsage()).isNull();
        assertThat(read.getCreatedAt()).isNull();
        assertThat(read.getChunkPartition()).isNull();
        assertThat(read.getError()).isNull();
        assertThat(read.getTruncated()).isFalse();
    }

    @Test
    void olderAndCurrentWritersInOneSubjectBothReadIntoTheCurrentClass() throws IOException {
        Schema older = Schemas.without(FinalAnswer.getClassSchema(), DEFAULTED);
        int olderId = client.register(topic + "-value", older);
        GenericRecord old = new GenericData.Record(older);
        old.put("requestId", "r-old");
        old.put("status", new GenericData.EnumSymbol(older.getField("status").schema(), "FAILED"));
        old.put("text", "");
        old.put("attempts", 2);
        old.put("chunkCount", 1L);
        old.put("completedAt", 0L);

        // The current schema only adds defaulted fields, so the registry's BACKWARD rule accepts it.
        try (AvroSerde<FinalAnswer> serde = new AvroSerde<>(FinalAnswer.class, client, false)) {
            byte[] current = serde.serializer().serialize(topic, SampleRecords.completedAnswer());
            assertThat(WireFormat.schemaId(topic, current)).isNotEqualTo(olderId);

            assertThat(serde.deserializer().deserialize(topic, current)).isEqualTo(SampleRecords.completedAnswer());
            assertThat(serde.deserializer().deserialize(topic, WireFormat.frame(olderId, encode(older, old)))
                    .getRequestId()).isEqualTo("r-old");
        }
    }

    @Test
    void newerWriterWithAnExtraFieldReadsWithTheFieldIgnored() throws IOException {
        Schema newer = Schemas.with(FinalAnswer.getClassSchema(), new Schema.Field("costUsd",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.DOUBLE)),
                "Cost of the request.", JsonProperties.NULL_VALUE));
        int newerId = client.register(topic + "-value", newer);
        FinalAnswer answer = SampleRecords.completedAnswer();
        GenericRecord record = new GenericData.Record(newer);
        // Copy the known fields through the binary form of the generated class, then add the new one.
        GenericRecord known = asGeneric(answer);
        for (Schema.Field f : FinalAnswer.getClassSchema().getFields()) {
            record.put(f.name(), known.get(f.name()));
        }
        record.put("costUsd", 0.0042);

        assertThat(deserializer().deserialize(topic, WireFormat.frame(newerId, encode(newer, record))))
                .isEqualTo(answer);
    }

    @Test
    void incompatibleWriterSchemaFailsWithAClearMessage() throws IOException {
        // Same record name, but 'text' changed from string to int: Avro cannot promote int to string.
        Schema clash = Schemas.with(Schemas.without(FinalAnswer.getClassSchema(), "text"),
                new Schema.Field("text", Schema.create(Schema.Type.INT), "text as a number", null));
        int clashId = client.register("it.clash." + UUID.randomUUID() + "-value", clash);
        GenericRecord record = new GenericData.Record(clash);
        GenericRecord known = asGeneric(SampleRecords.completedAnswer());
        for (Schema.Field f : clash.getFields()) {
            record.put(f.name(), f.name().equals("text") ? 5 : known.get(f.name()));
        }

        assertThatThrownBy(() -> deserializer().deserialize(topic, WireFormat.frame(clashId, encode(clash, record))))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("schema id " + clashId)
                .hasMessageContaining("cannot be read as dev.tokenlog.avro.FinalAnswer")
                .hasMessageContaining("not compatible");
    }

    private AvroDeserializer<FinalAnswer> deserializer() {
        return new AvroDeserializer<>(FinalAnswer.class, client);
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** The record as a GenericRecord of the same schema (timestamps as longs), via its binary form. */
    private static GenericRecord asGeneric(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema(), SpecificData.getForClass(record.getClass()))
                .write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(record.getSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }
}
