package dev.tokenlog.fanout.openai;

import dev.tokenlog.fanout.api.ApiException;
import dev.tokenlog.schemas.limits.RequestLimits;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves the {@code model} (and {@code fallbacks}) of a Chat Completions request: a
 * {@code <provider>/<model>} target as it is, or a configured alias ({@code tokenlog.gateway.aliases}).
 * Any other name is a model this gateway does not know: 404 {@code model_not_found}, as OpenAI
 * answers for an unknown model.
 *
 * <p>Alias names match ignoring case, with {@code -}, {@code .} and {@code _} taken as the same
 * character: an environment variable cannot spell {@code gpt-4o}, and
 * {@code TOKENLOG_GATEWAY_ALIASES_GPT_4O} arrives as alias {@code gpt.4o}.
 */
public final class ModelAliases {
    private final Map<String, String> targets = new HashMap<>();
    private final Set<String> names = new TreeSet<>();

    /** @throws IllegalArgumentException when an alias does not name a {@code <provider>/<model>} target, or two collide */
    public ModelAliases(Map<String, String> aliases) {
        aliases.forEach((alias, target) -> {
            if (!isTarget(target)) {
                throw new IllegalArgumentException("tokenlog.gateway.aliases.\"" + alias + "\" is '" + target
                        + "'; an alias must name a \"<provider>/<model>\" target such as mock/echo");
            }
            String previous = targets.put(key(alias), target.strip());
            if (previous != null && !previous.equals(target.strip())) {
                throw new IllegalArgumentException("tokenlog.gateway.aliases has two aliases for '" + alias
                        + "' (names match ignoring case, '-', '.' and '_') with different targets");
            }
            names.add(alias);
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
                    + (names.isEmpty() ? "" : " or an alias of " + names));
        }
        String target = targets.get(key(name));
        if (target != null) {
            return target;
        }
        if (name.indexOf('/') >= 0) {
            return name; // RequestFactory checks that both halves are there
        }
        throw new ApiException(404, "model_not_found", field + " " + RequestLimits.shown(name) + " is not known to this gateway: use"
                + " \"<provider>/<model>\" such as \"mock/echo\"" + (names.isEmpty() ? " (no aliases are configured)"
                : " or one of the aliases " + names));
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT).replace('.', '-').replace('_', '-');
    }

    private static boolean isTarget(String value) {
        int slash = value == null ? -1 : value.strip().indexOf('/');
        return slash > 0 && slash < value.strip().length() - 1;
    }
}
