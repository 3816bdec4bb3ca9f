package dev.tokenlog.fanout.api;

import dev.tokenlog.avro.ToolDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates the {@code tools} of a request (OpenAI's shape) and maps them onto Avro
 * {@link ToolDefinition}s: every provider adapter can then send them as they are.
 */
final class ToolDefinitions {
    /** OpenAI's rule for function names; the other providers accept at least these. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    /** OpenAI's limit on tools per request. */
    static final int MAX_TOOLS = 128;
    private static final String NO_PARAMETERS = "{\"type\":\"object\",\"properties\":{}}";

    private ToolDefinitions() {}

    static List<ToolDefinition> map(List<CreateStream.Tool> tools) {
        if (tools == null || tools.isEmpty()) {
            return List.of();
        }
        if (tools.size() > MAX_TOOLS) {
            throw ApiException.badRequest("tools holds " + tools.size() + " tools; at most " + MAX_TOOLS + " are allowed");
        }
        List<ToolDefinition> out = new ArrayList<>(tools.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            CreateStream.Tool tool = tools.get(i);
            if (tool == null || tool.function() == null) {
                throw ApiException.badRequest(at + ".function is required: {\"type\":\"function\",\"function\":{\"name\":…}}");
            }
            if (tool.type() != null && !tool.type().equals("function")) {
                throw ApiException.badRequest(at + ".type '" + tool.type() + "' is not supported; use function");
            }
            CreateStream.FunctionDefinition function = tool.function();
            if (function.name() == null || !NAME.matcher(function.name()).matches()) {
                throw ApiException.badRequest(at + ".function.name must be 1 to 64 letters, digits, _ or -, got "
                        + (function.name() == null ? "none" : "'" + function.name() + "'"));
            }
            if (!names.add(function.name())) {
                throw ApiException.badRequest(at + ".function.name '" + function.name() + "' is already used by another tool");
            }
            String parameters;
            if (function.parameters() == null || function.parameters().isNull()) {
                parameters = NO_PARAMETERS;
            } else if (function.parameters().isObject()) {
                parameters = function.parameters().toString();
            } else {
                throw ApiException.badRequest(at + ".function.parameters must be a JSON Schema object");
            }
            out.add(new ToolDefinition(function.name(), function.description(), parameters));
        }
        return out;
    }
}
