package dev.tokenlog.schemas.limits;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The metadata keys the worker reads (MockShape, TryPolicy, Attempt), each with its type and range.
 * Any other key under {@link #PREFIXES} is refused, so a typo is an error rather than silently ignored.
 *
 * @param key  the metadata key
 * @param kind what its value must be
 * @param min  lowest value (numbers)
 * @param max  highest value (numbers); for {@link Kind#MILLIS} the ceiling of the request applies instead
 */
record ControlKey(String key, Kind kind, double min, double max) {
    /** Metadata prefixes that belong to tokenlog: their keys must be known ones. */
    static final List<String> PREFIXES = List.of("mock.", "timeout.", "route.");

    enum Kind { NUMBER, WHOLE, MILLIS, BOOLEAN }

    static final Map<String, ControlKey> KNOWN = List.of(
                    new ControlKey("mock.tps", Kind.NUMBER, 0, 1_000_000),
                    new ControlKey("mock.ttft-ms", Kind.MILLIS, 0, 0),
                    new ControlKey("mock.fail-after", Kind.WHOLE, -1, Integer.MAX_VALUE),
                    new ControlKey("timeout.connect-ms", Kind.MILLIS, 1, 0),
                    new ControlKey("timeout.first-token-ms", Kind.MILLIS, 1, 0),
                    new ControlKey("timeout.idle-ms", Kind.MILLIS, 1, 0),
                    new ControlKey("route.fallback-on-client-error", Kind.BOOLEAN, 0, 0))
            .stream().collect(Collectors.toUnmodifiableMap(ControlKey::key, Function.identity()));

    /** Whether tokenlog reads keys like this one (known or a typo of one). */
    static boolean reserved(String key) {
        return PREFIXES.stream().anyMatch(key::startsWith);
    }

    /**
     * Why {@code value} is not valid for this key, or empty.
     *
     * @param ceilingMs      highest milliseconds allowed for this request
     * @param ceilingSetting what sets the ceiling, for the message
     */
    Optional<String> problem(String value, long ceilingMs, String ceilingSetting) {
        String v = value == null ? "" : value.strip();
        return switch (kind) {
            case BOOLEAN -> v.equals("true") || v.equals("false") ? Optional.empty()
                    : Optional.of("must be true or false");
            case NUMBER -> inRange(v, false, min, max) ? Optional.empty()
                    : Optional.of("must be a number from " + plain(min) + " to " + plain(max));
            case WHOLE -> inRange(v, true, min, max) ? Optional.empty()
                    : Optional.of("must be a whole number from " + plain(min) + " to " + plain(max));
            case MILLIS -> inRange(v, true, min, ceilingMs) ? Optional.empty()
                    : Optional.of("must be a whole number of milliseconds from " + plain(min) + " to " + ceilingMs
                            + " (" + ceilingSetting + ")");
        };
    }

    private static boolean inRange(String v, boolean whole, double min, double max) {
        if (v.isEmpty() || v.length() > 20 || (whole && !v.matches("-?\\d+"))) {
            return false; // whole numbers as Long.parseLong reads them (TryPolicy does)
        }
        try {
            BigDecimal n = new BigDecimal(v);
            return n.compareTo(BigDecimal.valueOf(min)) >= 0 && n.compareTo(BigDecimal.valueOf(max)) <= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
