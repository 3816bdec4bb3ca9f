package dev.tokenlog.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization offline, like {@code kubectl kustomize}, for the few features deploy/k8s uses:
 * {@code resources} (files and kustomization directories), {@code namespace}, {@code labels} (metadata
 * only), {@code images} ({@code newName}/{@code newTag}) and {@code patches} by strategic merge, with an
 * optional {@code target} by group/kind/name. No cluster or kustomize binary is needed. Any other field
 * in a kustomization fails the render, so the manifests cannot drift into features this does not model.
 *
 * <p>Strategic merge as Kubernetes does it for these manifests: maps merge key by key; lists of maps whose
 * entries all have a {@code name} (containers, env, ports, volume mounts) merge entry by entry on it;
 * any other list is replaced.
 */
final class Kustomize {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "namespace", "labels",
            "images", "patches");

    private Kustomize() {}

    /** Every resource the kustomization in {@code dir} produces, in order. */
    static List<Map<String, Object>> render(Path dir) throws IOException {
        Map<String, Object> kustomization = YamlTree.loadOne(dir.resolve("kustomization.yaml"));
        for (String field : kustomization.keySet()) {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(dir + "/kustomization.yaml uses '" + field
                        + "', which this renderer does not model; use only " + SUPPORTED);
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (String entry : YamlTree.<String>list(kustomization.get("resources"))) {
            Path path = dir.resolve(entry).normalize();
            resources.addAll(Files.isDirectory(path) ? render(path) : YamlTree.loadAll(path));
        }
        for (Map<String, Object> patch : YamlTree.<Map<String, Object>>list(kustomization.get("patches"))) {
            applyPatch(resources, dir.resolve((String) patch.get("path")), YamlTree.map(patch.get("target")));
        }
        for (Map<String, Object> image : YamlTree.<Map<String, Object>>list(kustomization.get("images"))) {
            resources.forEach(r -> YamlTree.containers(r).forEach(c -> retag(c, image)));
        }
        for (Map<String, Object> label : YamlTree.<Map<String, Object>>list(kustomization.get("labels"))) {
            if (Boolean.TRUE.equals(label.get("includeSelectors")) || Boolean.TRUE.equals(label.get("includeTemplates"))) {
                throw new IllegalArgumentException("labels with includeSelectors/includeTemplates are not modelled");
            }
            resources.forEach(r -> YamlTree.child(YamlTree.map(r.get("metadata")), "labels").putAll(YamlTree.map(label.get("pairs"))));
        }
        Object namespace = kustomization.get("namespace");
        if (namespace != null) {
            resources.forEach(r -> YamlTree.map(r.get("metadata")).put("namespace", namespace));
        }
        return resources;
    }

    private static void applyPatch(List<Map<String, Object>> resources, Path file, Map<String, Object> target)
            throws IOException {
        for (Map<String, Object> patch : YamlTree.loadAll(file)) {
            int matched = 0;
            for (Map<String, Object> resource : resources) {
                if (target.isEmpty() ? sameObject(resource, patch) : matches(resource, target)) {
                    Map<String, Object> body = new LinkedHashMap<>(patch);
                    body.remove("metadata"); // a targeted patch's own name is ignored, as in kustomize
                    merge(resource, body);
                    matched++;
                }
            }
            if (matched == 0) {
                throw new IllegalArgumentException(file + ": patch " + patch.get("kind") + " "
                        + YamlTree.name(patch) + " matches no resource");
            }
        }
    }

    private static boolean sameObject(Map<String, Object> resource, Map<String, Object> patch) {
        return resource.get("kind").equals(patch.get("kind")) && YamlTree.name(resource).equals(YamlTree.name(patch));
    }

    private static boolean matches(Map<String, Object> resource, Map<String, Object> target) {
        String apiVersion = (String) resource.get("apiVersion");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return (!target.containsKey("group") || target.get("group").equals(group))
                && (!target.containsKey("kind") || target.get("kind").equals(resource.get("kind")))
                && (!target.containsKey("name") || target.get("name").equals(YamlTree.name(resource)));
    }

    /** Strategic merge of {@code patch} into {@code into} (see the class comment). */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> into, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object current = into.get(key);
            if (current instanceof Map<?, ?> m && value instanceof Map<?, ?> p) {
                merge((Map<String, Object>) m, (Map<String, Object>) p);
            } else if (current instanceof List<?> l && value instanceof List<?> p && namedEntries(l) && namedEntries(p)) {
                mergeByName((List<Object>) l, (List<Object>) p);
            } else {
                into.put(key, value);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static void mergeByName(List<Object> into, List<?> patch) {
        for (Object entry : patch) {
            Map<String, Object> p = (Map<String, Object>) entry;
            into.stream().map(e -> (Map<String, Object>) e).filter(e -> e.get("name").equals(p.get("name")))
                    .findFirst().ifPresentOrElse(e -> merge(e, p), () -> into.add(p));
        }
    }

    private static boolean namedEntries(List<?> list) {
        return !list.isEmpty() && list.stream().allMatch(e -> e instanceof Map<?, ?> m && m.get("name") instanceof String);
    }

    private static void retag(Map<String, Object> container, Map<String, Object> image) {
        String ref = (String) container.get("image");
        String name = ref.replaceFirst("@.*$", "").replaceFirst(":[^:/]+$", "");
        if (!name.equals(image.get("name"))) {
            return;
        }
        String tag = ref.substring(name.length());
        String newName = (String) image.getOrDefault("newName", name);
        container.put("image", newName + (image.containsKey("newTag") ? ":" + image.get("newTag") : tag));
    }
}
