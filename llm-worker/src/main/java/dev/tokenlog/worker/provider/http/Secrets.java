package dev.tokenlog.worker.provider.http;

import java.util.List;
import java.util.Objects;

/** Secrets of a provider entry, removed from every message that leaves an adapter. */
public final class Secrets {
    private static final int MIN_LENGTH = 4;
    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values;
    }

    public static Secrets of(String... values) {
        return new Secrets(java.util.Arrays.stream(values).filter(Objects::nonNull)
                .filter(v -> v.length() >= MIN_LENGTH).toList());
    }

    /** {@code text} with every secret replaced by {@code ***}. */
    public String scrub(String text) {
        String out = text;
        for (String secret : values) {
            out = out.replace(secret, "***");
        }
        return out;
    }

    @Override
    public String toString() {
        return "Secrets[" + values.size() + " hidden]";
    }
}
