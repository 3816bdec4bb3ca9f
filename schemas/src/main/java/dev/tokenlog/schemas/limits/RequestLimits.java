package dev.tokenlog.schemas.limits;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The limits every way in applies to a request before it runs (the gateway's HTTP APIs, and the
 * worker for records another producer wrote to {@code llm.requests}): route length, configured
 * providers, model names, {@code max_tokens} per provider and model, metadata size and the control
 * keys the worker reads. Checks are in that order; the first violation is reported, its message
 * starting with the request field (as the HTTP APIs name it) and naming the setting that limits it.
 */
public final class RequestLimits {
    /** What real model ids use: {@code gpt-4o}, {@code llama3.1:8b}, {@code anthropic.claude-v2:1}, {@code ibm/granite}, {@code x@2024}. */
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9._:/@+-]+");
    private static final int SHOWN = 40;

    /** A broken limit: a message for the client that starts with the field and names the limit. */
    public record Violation(String message) {}

    private final LimitSettings settings;

    public RequestLimits(LimitSettings settings) {
        this.settings = settings;
    }

    public LimitSettings settings() {
        return settings;
    }

    /** The first limit {@code request} breaks, or empty when it keeps them all. */
    public Optional<Violation> check(LlmRequest request) {
        return route(request.getRoute())
                .or(() -> maxTokens(request))
                .or(() -> metadata(request));
    }

    private Optional<Violation> route(List<RouteTarget> route) {
        int fallbacks = route.size() - 1;
        if (fallbacks > settings.maxFallbacks()) {
            return violation("max-fallbacks", "fallbacks has " + fallbacks + " targets; at most "
                    + settings.maxFallbacks() + " are allowed");
        }
        for (int i = 0; i < route.size(); i++) {
            String field = field(i);
            String provider = route.get(i).getProvider();
            String model = route.get(i).getModel();
            if (!settings.providerMaxTokens().containsKey(provider)) {
                return violation("providers", field + " provider " + shown(provider) + " is not configured; use one of "
                        + settings.providerMaxTokens().keySet() + (provider.equals(LimitsConfig.MOCK)
                        ? " (mock is a development provider, on only with tokenlog.mock.enabled=true)" : ""));
            }
            if (model.length() > settings.modelMaxLength()) {
                return violation("model-max-length", field + " model name is " + model.length()
                        + " characters long; at most " + settings.modelMaxLength() + " are allowed");
            }
            if (!MODEL.matcher(model).matches()) {
                return Optional.of(new Violation(field + " model name " + shown(model) + " may only hold letters,"
                        + " digits and . _ : / @ + - (no spaces or control characters)"));
            }
        }
        return Optional.empty();
    }

    /** {@code max_tokens} goes to every target of the route, so the lowest cap among them applies. */
    private Optional<Violation> maxTokens(LlmRequest request) {
        Integer maxTokens = request.getParams().getMaxTokens();
        if (maxTokens == null) {
            return Optional.empty(); // the provider's default; the mock's is small
        }
        for (RouteTarget target : request.getRoute()) {
            String name = target.getProvider() + "/" + target.getModel();
            Integer modelCap = settings.modelMaxTokens().get(name);
            int cap = modelCap != null ? modelCap : settings.providerMaxTokens().get(target.getProvider());
            if (maxTokens < 1 || maxTokens > cap) {
                String setting = modelCap != null ? "models.\"" + name + "\".max-tokens"
                        : "providers." + target.getProvider() + ".max-tokens";
                return violation(setting, "max_tokens " + maxTokens + " is out of range: " + name
                        + " allows 1 to " + cap);
            }
        }
        return Optional.empty();
    }

    private Optional<Violation> metadata(LlmRequest request) {
        Map<String, String> metadata = request.getMetadata();
        if (metadata.size() > settings.metadataMaxKeys()) {
            return violation("metadata-max-keys", "metadata has " + metadata.size() + " keys; at most "
                    + settings.metadataMaxKeys() + " are allowed");
        }
        long bytes = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            bytes += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        if (bytes > settings.metadataMaxBytes()) {
            return violation("metadata-max-bytes", "metadata is " + bytes + " bytes (keys and values, UTF-8); at most "
                    + settings.metadataMaxBytes() + " are allowed");
        }
        Ceiling ceiling = ceiling(request);
        for (String key : new TreeSet<>(metadata.keySet())) {
            if (key.length() > settings.metadataMaxKeyLength()) {
                return violation("metadata-max-key-length", "metadata key " + shown(key) + " is " + key.length()
                        + " characters long; at most " + settings.metadataMaxKeyLength() + " are allowed");
            }
            if (!ControlKey.reserved(key)) {
                continue;
            }
            ControlKey control = ControlKey.KNOWN.get(key);
            if (control == null) {
                return Optional.of(new Violation("metadata key " + shown(key) + " is not one tokenlog reads;"
                        + " keys starting with " + ControlKey.PREFIXES + " must be one of "
                        + new TreeSet<>(ControlKey.KNOWN.keySet())));
            }
            Optional<String> problem = control.problem(metadata.get(key), ceiling.millis(), ceiling.setting());
            if (problem.isPresent()) {
                return Optional.of(new Violation("metadata " + key + " " + shown(metadata.get(key))
                        + " " + problem.get()));
            }
        }
        return Optional.empty();
    }

    /** The highest timeout this request may ask for: the configured maximum, or its deadline if sooner. */
    private record Ceiling(long millis, String setting) {}

    private Ceiling ceiling(LlmRequest request) {
        long max = settings.maxTimeout().toMillis();
        String setting = LimitsConfig.PREFIX + "max-timeout";
        if (request.getDeadline() != null) {
            long untilDeadline = Math.max(0, Duration.between(request.getCreatedAt(), request.getDeadline()).toMillis());
            if (untilDeadline < max) {
                return new Ceiling(untilDeadline, "the request's deadline");
            }
        }
        return new Ceiling(max, setting);
    }

    private static Optional<Violation> violation(String setting, String message) {
        return Optional.of(new Violation(message + " (" + LimitsConfig.PREFIX + setting + ")"));
    }

    /** The HTTP APIs' name of route target {@code i}. */
    private static String field(int i) {
        return i == 0 ? "model" : "fallbacks[" + (i - 1) + "]";
    }

    /**
     * {@code value} quoted for a message or a log line: at most {@value #SHOWN} characters, anything
     * but printable ASCII as {@code ?}, so a client cannot forge log lines or flood a response.
     */
    public static String shown(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < Math.min(value.length(), SHOWN); i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.append(value.length() > SHOWN ? "…'" : "'").toString();
    }

    private static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
