package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.FinalAnswer;
import dev.tokenlog.avro.FinalToolCall;
import dev.tokenlog.schemas.Topics;

/**
 * How large a {@link FinalAnswer} is on {@code llm.answers}, and the limits it must stay under. The
 * fold checks an answer's size before it forwards it (not after the producer refuses it): under
 * exactly-once a send the producer refuses aborts the whole transaction, so a too-large record would
 * fail the task on every gateway it moves to, whatever the production exception handler answers.
 */
final class AnswerSize {
    /** The largest FinalAnswer the fold writes: what llm.answers takes, less room for Kafka's batch and record headers. */
    static final long LIMIT = Topics.ANSWERS_MAX_MESSAGE_BYTES - 64 * 1024;
    /** The largest output {@code tokenlog.fold.max-answer-bytes} may allow: 1 MiB left for the answer's other fields. */
    static final long MAX_OUTPUT = Topics.ANSWERS_MAX_MESSAGE_BYTES - 1024 * 1024;
    /** Per field: the Avro length or union prefix; per record: the wire-format header and the fixed-size fields. */
    private static final int FIELD_OVERHEAD = 10;
    private static final int RECORD_OVERHEAD = 256;

    private AnswerSize() {}

    /** An upper bound of the answer's Avro encoding in bytes (strings as UTF-8, every prefix at its largest). */
    static long of(FinalAnswer a) {
        long size = RECORD_OVERHEAD + bytes(a.getRequestId()) + bytes(a.getText()) + bytes(a.getReasoning())
                + bytes(a.getRawFinishReason()) + bytes(a.getProvider()) + bytes(a.getModel()) + bytes(a.getOwner());
        for (FinalToolCall call : a.getToolCalls()) {
            size += FIELD_OVERHEAD + bytes(call.getId()) + bytes(call.getName()) + bytes(call.getArguments());
        }
        if (a.getError() != null) {
            size += bytes(a.getError().getCode()) + bytes(a.getError().getMessage());
        }
        return size;
    }

    private static long bytes(CharSequence s) {
        return FIELD_OVERHEAD + utf8Length(s);
    }

    /** UTF-8 length of {@code s} without encoding it (0 for null). */
    static long utf8Length(CharSequence s) {
        if (s == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The longest prefix of {@code s} whose UTF-8 form takes at most {@code budget} bytes (never half a surrogate pair). */
    static String prefixWithin(String s, long budget) {
        long bytes = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            int size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            i += pair ? 2 : 1;
        }
        return s.substring(0, i);
    }
}
