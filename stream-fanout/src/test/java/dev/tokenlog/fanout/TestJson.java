package dev.tokenlog.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON helpers for test assertions. */
public final class TestJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    public static String field(String json, String name) {
        JsonNode node = parse(json).get(name);
        return node == null || node.isNull() ? null : node.asText();
    }
}
