package dev.tokenlog.fanout.metrics;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary serde of {@link Track}: the tracker reads its entry on every chunk, so this is on the hot
 * path (JSON cost ~10 % of the stream thread in FoldBenchmark). A version byte leads.
 */
final class TrackSerde implements Serde<Track> {
    private static final byte VERSION_1 = 1;

    @Override
    public Serializer<Track> serializer() {
        return (topic, t) -> {
            if (t == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(VERSION_1);
                out.writeUTF(t.attemptId());
                out.writeUTF(t.provider());
                out.writeUTF(t.model());
                out.writeLong(t.createdAtMs());
                out.writeBoolean(t.firstOutput());
                out.writeLong(t.outputTokens());
                out.writeLong(t.touchedAtMs());
            } catch (IOException e) {
                throw new SerializationException("cannot write throughput track for " + topic, e);
            }
            return bytes.toByteArray();
        };
    }

    @Override
    public Deserializer<Track> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                if (in.readByte() != VERSION_1) {
                    throw new IOException("unknown version " + bytes[0]);
                }
                return new Track(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readBoolean(),
                        in.readLong(), in.readLong());
            } catch (IOException e) {
                throw new SerializationException("cannot read throughput track from " + topic, e);
            }
        };
    }
}
