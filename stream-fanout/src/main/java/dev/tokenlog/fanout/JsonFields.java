package dev.tokenlog.fanout;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON objects the gateway writes, built with their fields in a fixed order (null values kept). */
public final class JsonFields {
    private JsonFields() {}

    /** A map of {@code key, value, key, value, ...} in that order. */
    public static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
