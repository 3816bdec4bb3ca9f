package dev.tokenlog.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenlog.avro.ContentPart;
import dev.tokenlog.avro.GenerationParams;
import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.avro.PartType;
import dev.tokenlog.avro.RouteTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The message parts and assistant tool calls of {@link LlmRequest}: they survive the binary round
 * trip, data of the released v1 schema reads with both empty, and a part kind added later reads as
 * {@link PartType#OTHER} instead of failing the record.
 */
class MessagePartsTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    @Test
    void imagePartsAndToolCallsRoundTripByteForByte() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, -1, 127};
        Message user = Message.newBuilder().setRole("user").setContent("What is this?")
                .setParts(List.of(
                        ContentPart.newBuilder().setText("What is this?").build(),
                        ContentPart.newBuilder().setType(PartType.IMAGE).setMediaType("image/png")
                                .setData(ByteBuffer.wrap(png)).build(),
                        ContentPart.newBuilder().setType(PartType.IMAGE).setImageUrl("https://example.org/a.jpg").build()))
                .build();
        Message assistant = Message.newBuilder().setRole("assistant").setContent("")
                .setToolCalls(List.of(new MessageToolCall("call_1", "lookup", "{\"q\":\"png\"}"))).build();
        LlmRequest request = request(List.of(user, assistant));

        LlmRequest read = readCurrent(LlmRequest.getClassSchema(), writeSpecific(request));

        assertThat(read).isEqualTo(request);
        assertThat(read.getMessages().get(0).getParts().get(0).getType()).as("type defaults to TEXT")
                .isEqualTo(PartType.TEXT);
        ByteBuffer data = read.getMessages().get(0).getParts().get(1).getData();
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        assertThat(bytes).containsExactly(png);
        assertThat(read.getMessages().get(1).getToolCalls()).containsExactly(
                new MessageToolCall("call_1", "lookup", "{\"q\":\"png\"}"));
    }

    @Test
    void aRequestWrittenWithTheReleasedV1SchemaReadsWithNoPartsAndNoToolCalls() throws IOException {
        Schema v1 = released("LlmRequest");
        Schema v1Message = v1.getField("messages").schema().getElementType();
        assertThat(v1Message.getField("parts")).as("released v1 predates parts").isNull();
        GenericRecord message = new GenericData.Record(v1Message);
        message.put("role", "user");
        message.put("content", "hello");
        GenericRecord route = new GenericData.Record(v1.getField("route").schema().getElementType());
        route.put("provider", "mock");
        route.put("model", "echo");
        GenericRecord params = new GenericData.Record(v1.getField("params").schema());
        params.put("stop", List.of());
        params.put("tools", List.of());
        GenericRecord request = new GenericData.Record(v1);
        request.put("requestId", "r-v1");
        request.put("createdAt", T0.toEpochMilli());
        request.put("route", List.of(route));
        request.put("messages", List.of(message));
        request.put("params", params);
        request.put("metadata", Map.of());

        LlmRequest read = readCurrent(v1, writeGeneric(v1, request));

        Message m = read.getMessages().get(0);
        assertThat(m.getContent()).isEqualTo("hello");
        assertThat(m.getParts()).isEmpty();
        assertThat(m.getToolCalls()).isEmpty();
    }

    @Test
    void aPartKindAddedByANewerWriterReadsAsOther() throws IOException {
        Schema newer = new Schema.Parser().parse(LlmRequest.getClassSchema().toString()
                .replace("\"symbols\":[\"TEXT\",\"IMAGE\",\"OTHER\"]", "\"symbols\":[\"TEXT\",\"IMAGE\",\"OTHER\",\"AUDIO\"]"));
        assertThat(newer.toString()).contains("AUDIO");
        GenericRecord written = toGeneric(newer, request(List.of(Message.newBuilder().setRole("user").setContent("")
                .setParts(List.of(ContentPart.newBuilder().build())).build())));
        GenericRecord message = (GenericRecord) ((List<?>) written.get("messages")).get(0);
        GenericRecord part = (GenericRecord) ((List<?>) message.get("parts")).get(0);
        part.put("type", new GenericData.EnumSymbol(part.getSchema().getField("type").schema(), "AUDIO"));

        LlmRequest read = readCurrent(newer, writeGeneric(newer, written));

        assertThat(read.getMessages().get(0).getParts().get(0).getType()).isEqualTo(PartType.OTHER);
    }

    private static LlmRequest request(List<Message> messages) {
        return LlmRequest.newBuilder().setRequestId("r-1").setCreatedAt(T0)
                .setRoute(List.of(new RouteTarget("openai", "gpt-4o"))).setMessages(messages)
                .setParams(GenerationParams.newBuilder().build()).build();
    }

    private static byte[] writeSpecific(LlmRequest request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<LlmRequest>(LlmRequest.getClassSchema(), SpecificData.getForClass(LlmRequest.class)).write(request, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] writeGeneric(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** {@code request} as a generic record of {@code schema} (same layout), via the binary form. */
    private static GenericRecord toGeneric(Schema schema, LlmRequest request) throws IOException {
        return new GenericDatumReader<GenericRecord>(LlmRequest.getClassSchema(), schema)
                .read(null, DecoderFactory.get().binaryDecoder(writeSpecific(request), null));
    }

    private static LlmRequest readCurrent(Schema writer, byte[] bytes) throws IOException {
        return new SpecificDatumReader<LlmRequest>(writer, LlmRequest.getClassSchema(), SpecificData.getForClass(LlmRequest.class))
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    private static Schema released(String name) throws IOException {
        try (InputStream in = MessagePartsTest.class.getResourceAsStream("/released/" + name + ".avsc")) {
            return new Schema.Parser().parse(in);
        }
    }
}
