package dev.tokenlog.fanout.openai;

import dev.tokenlog.fanout.api.ApiException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resolves the {@code model} (and {@code fallbacks}) of a Chat Completions request: a
 * {@code <provider>/<model>} target as it is, or a configured alias ({@code tokenlog.gateway.aliases}).
 * Any other name is a model this gateway does not know: 404 {@code model_not_found}, as OpenAI
 * answers for an unknown model.
 */
public final class ModelAliases {
    private final Map<String, String> targets;

    /** @throws IllegalArgumentException when an alias does not name a {@code <provider>/<model>} target */
    public ModelAliases(Map<String, String> aliases) {
        this.targets = new TreeMap<>(aliases);
        targets.forEach((alias, target) -> {
            if (!isTarget(target)) {
                throw new IllegalArgumentException("tokenlog.gateway.aliases.\"" + alias + "\" is '" + target
                        + "'; an alias must name a \"<provider>/<model>\" target such as mock/echo");
            }
        });
    }

    /**
     * The {@code <provider>/<model>} target {@code name} stands for.
     *
     * @param field the request field, for errors: {@code model} or {@code fallbacks[i]}
     */
    String resolve(String field, String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest(field + " is required: \"<provider>/<model>\" such as \"mock/echo\""
                    + (targets.isEmpty() ? "" : " or an alias of " + targets.keySet()));
        }
        String target = targets.get(name);
        if (target != null) {
            return target;
        }
        if (name.indexOf('/') >= 0) {
            return name; // RequestFactory checks that both halves are there
        }
        throw new ApiException(404, "model_not_found", field + " '" + name + "' is not known to this gateway: use"
                + " \"<provider>/<model>\" such as \"mock/echo\"" + (targets.isEmpty() ? " (no aliases are configured)"
                : " or one of the aliases " + targets.keySet()));
    }

    private static boolean isTarget(String value) {
        int slash = value == null ? -1 : value.indexOf('/');
        return slash > 0 && slash < value.length() - 1;
    }
}
