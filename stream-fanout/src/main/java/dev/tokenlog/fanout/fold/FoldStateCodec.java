package dev.tokenlog.fanout.fold;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The binary form of {@link FoldState} in the fold's store and changelog: a version byte, then the
 * fields in declaration order; null-able fields are preceded by a presence byte. The fold rewrites a
 * request's whole state on every chunk, so this is on the hot path: it is several times cheaper than
 * JSON (no field names, no date text).
 */
final class FoldStateCodec {
    /** First byte of the binary form; JSON, the earlier form, starts with '{'. */
    static final byte VERSION_1 = 1;
    /** Version 1 plus, at the end of the attempt, its kept output bytes and whether it was truncated. */
    static final byte VERSION_2 = 2;

    private FoldStateCodec() {}

    static byte[] write(FoldState s) throws IOException {
        int textSize = s.attempt() == null ? 0 : s.attempt().text().length() + s.attempt().reasoning().length();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160 + textSize);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(VERSION_2);
        writeString(out, s.requestId());
        out.writeByte(s.status().ordinal());
        writeInstant(out, s.createdAt());
        writeString(out, s.owner());
        writeInstant(out, s.lastActivityAt());
        out.writeBoolean(s.chunkPartition() != null);
        if (s.chunkPartition() != null) {
            out.writeInt(s.chunkPartition());
        }
        writeLong(out, s.firstSeenOffset());
        out.writeInt(s.earlierAttempts().size());
        for (String id : s.earlierAttempts()) {
            writeString(out, id);
        }
        out.writeBoolean(s.attempt() != null);
        if (s.attempt() != null) {
            writeAttempt(out, s.attempt());
        }
        return bytes.toByteArray();
    }

    static FoldState read(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        byte version = in.readByte();
        if (version != VERSION_1 && version != VERSION_2) {
            throw new IOException("unknown fold state version " + version);
        }
        String requestId = readString(in);
        FoldState.Status status = FoldState.Status.values()[in.readByte()];
        Instant createdAt = readInstant(in);
        String owner = readString(in);
        Instant lastActivityAt = readInstant(in);
        Integer partition = in.readBoolean() ? in.readInt() : null;
        Long firstSeenOffset = readLong(in);
        int earlierCount = in.readInt();
        List<String> earlier = new ArrayList<>(earlierCount);
        for (int i = 0; i < earlierCount; i++) {
            earlier.add(readString(in));
        }
        AttemptState attempt = in.readBoolean() ? readAttempt(in, version) : null;
        return new FoldState(requestId, status, createdAt, owner, lastActivityAt, partition, firstSeenOffset,
                earlier, attempt);
    }

    private static void writeAttempt(DataOutputStream out, AttemptState a) throws IOException {
        writeString(out, a.attemptId());
        writeString(out, a.provider());
        writeString(out, a.model());
        writeLong(out, a.firstChunkOffset());
        out.writeLong(a.lastSeq());
        out.writeLong(a.gaps());
        out.writeLong(a.chunkCount());
        writeString(out, a.text());
        writeString(out, a.reasoning());
        out.writeInt(a.toolCalls().size());
        for (ToolCallState t : a.toolCalls().values()) {
            out.writeInt(t.index());
            writeString(out, t.id());
            writeString(out, t.name());
            writeString(out, t.arguments());
            out.writeBoolean(t.finished());
        }
        out.writeBoolean(a.usage() != null);
        if (a.usage() != null) {
            out.writeLong(a.usage().input());
            out.writeLong(a.usage().output());
            out.writeLong(a.usage().cached());
            out.writeLong(a.usage().reasoning());
        }
        writeInstant(out, a.firstTokenAt());
        out.writeLong(a.outputBytes());
        out.writeBoolean(a.truncated());
    }

    /** A version 1 attempt has no output count: it starts at 0 (the answer's own size check still holds). */
    private static AttemptState readAttempt(DataInputStream in, byte version) throws IOException {
        String attemptId = readString(in);
        String provider = readString(in);
        String model = readString(in);
        Long firstChunkOffset = readLong(in);
        long lastSeq = in.readLong();
        long gaps = in.readLong();
        long chunkCount = in.readLong();
        String text = readString(in);
        String reasoning = readString(in);
        int calls = in.readInt();
        SortedMap<Integer, ToolCallState> toolCalls = new TreeMap<>();
        for (int i = 0; i < calls; i++) {
            ToolCallState t = new ToolCallState(in.readInt(), readString(in), readString(in), readString(in),
                    in.readBoolean());
            toolCalls.put(t.index(), t);
        }
        UsageState usage = in.readBoolean()
                ? new UsageState(in.readLong(), in.readLong(), in.readLong(), in.readLong()) : null;
        Instant firstTokenAt = readInstant(in);
        long outputBytes = version >= VERSION_2 ? in.readLong() : 0;
        boolean truncated = version >= VERSION_2 && in.readBoolean();
        return new AttemptState(attemptId, provider, model, firstChunkOffset, lastSeq, gaps, chunkCount, text,
                reasoning, toolCalls, usage, firstTokenAt, outputBytes, truncated);
    }

    /** Length-prefixed UTF-8 (-1 for null): unlike writeUTF, not limited to 64 KiB, which answers exceed. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new IOException("truncated fold state");
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }

    private static void writeLong(DataOutputStream out, Long value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeLong(value);
        }
    }

    private static Long readLong(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }
}
