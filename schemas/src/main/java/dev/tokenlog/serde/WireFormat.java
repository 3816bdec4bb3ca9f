package dev.tokenlog.serde;

import java.io.ByteArrayOutputStream;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format shared with Confluent and Apicurio serdes: one magic byte {@code 0}, the
 * schema id as a 4-byte big-endian int, then the Avro binary encoding of the record.
 */
public final class WireFormat {
    /** First byte of every framed record. */
    public static final byte MAGIC_BYTE = 0;
    /** Bytes before the Avro body: magic byte plus schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the magic byte and {@code schemaId} to {@code out}. */
    public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /** {@code avroBody} framed with the header for {@code schemaId}. */
    public static byte[] frame(int schemaId, byte[] avroBody) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER_SIZE + avroBody.length);
        writeHeader(out, schemaId);
        out.writeBytes(avroBody);
        return out.toByteArray();
    }

    /**
     * The schema id of a framed record, after checking the frame.
     *
     * @param topic used in error messages only
     * @throws SerializationException when the payload is empty, too short or does not start with the magic byte
     */
    public static int schemaId(String topic, byte[] payload) {
        if (payload.length == 0) {
            throw new SerializationException("Empty payload on topic '" + topic + "': expected a Confluent-wire-format "
                    + "Avro record (magic byte 0, 4-byte schema id, Avro body). Tombstones must be null, not empty.");
        }
        if (payload[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format("Unknown magic byte 0x%02x on topic '%s' (expected 0x00): "
                    + "the record is not Confluent-wire-format Avro. It was written by a different serializer "
                    + "(plain JSON, string, or a serializer with another framing); fix the producer or read the topic "
                    + "with a matching deserializer.", payload[0] & 0xff, topic));
        }
        if (payload.length < HEADER_SIZE) {
            throw new SerializationException("Truncated record on topic '" + topic + "': " + payload.length
                    + " bytes, but the Confluent wire format needs at least " + HEADER_SIZE
                    + " (magic byte and 4-byte schema id) before the Avro body.");
        }
        return ((payload[1] & 0xff) << 24) | ((payload[2] & 0xff) << 16) | ((payload[3] & 0xff) << 8) | (payload[4] & 0xff);
    }
}
