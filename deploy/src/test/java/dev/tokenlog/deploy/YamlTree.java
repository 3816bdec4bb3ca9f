package dev.tokenlog.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads YAML files (SnakeYAML: anchors and merge keys as compose uses them) into untyped trees of maps
 * and lists, and walks them. Shared by the manifest tests and {@link Kustomize}.
 */
final class YamlTree {
    private YamlTree() {}

    /** Every non-empty document of a file (a document of comments only is skipped). */
    static List<Map<String, Object>> loadAll(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc != null) {
                    docs.add(map(doc));
                }
            }
        }
        return docs;
    }

    static Map<String, Object> loadOne(Path file) throws IOException {
        List<Map<String, Object>> docs = loadAll(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(file + " holds " + docs.size() + " YAML documents, not 1");
        }
        return docs.getFirst();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        return node == null ? new LinkedHashMap<>() : (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Object node) {
        return node == null ? List.of() : (List<T>) node;
    }

    /** The map under {@code key}, created empty when missing. */
    static Map<String, Object> child(Map<String, Object> parent, String key) {
        return map(parent.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>()));
    }

    /** The value at a path of map keys, or null. */
    static Object at(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    static String name(Map<String, Object> resource) {
        return String.valueOf(at(resource, "metadata", "name"));
    }

    /** The containers of a workload's pod template (none for other kinds). */
    static List<Map<String, Object>> containers(Map<String, Object> resource) {
        return list(at(resource, "spec", "template", "spec", "containers"));
    }
}
