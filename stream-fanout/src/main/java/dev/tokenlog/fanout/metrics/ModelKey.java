package dev.tokenlog.fanout.metrics;

import java.util.Objects;

/**
 * A provider entry and model, the key windows are grouped by. Encoded {@code <provider>/<model>}, the
 * form requests name models in: provider entry names contain no {@code /}, model names may.
 *
 * @param provider provider entry name
 * @param model    model name
 */
public record ModelKey(String provider, String model) {
    public ModelKey {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }

    /** Parses {@link #encoded()}; everything after the first {@code /} is the model. */
    public static ModelKey parse(String encoded) {
        int slash = encoded.indexOf('/');
        return slash < 0 ? new ModelKey(encoded, "") : new ModelKey(encoded.substring(0, slash),
                encoded.substring(slash + 1));
    }

    /** {@code <provider>/<model>}. */
    public String encoded() {
        return provider + "/" + model;
    }
}
