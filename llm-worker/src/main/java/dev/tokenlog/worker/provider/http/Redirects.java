package dev.tokenlog.worker.provider.http;

import java.net.URI;
import java.util.Optional;

/**
 * Which redirect to follow, as the JDK client's {@code Redirect.NORMAL} did: 301, 302, 303, 307 and 308
 * with a {@code Location}, never from https to http, at most {@link #MAX} in a row; 303 (and 301/302 of a
 * POST) continue as a GET without body, 307 and 308 repeat the method and body.
 */
final class Redirects {
    static final int MAX = 5;

    /** The next hop of a redirect. */
    record Hop(String method, URI uri, boolean keepsBody) {}

    private Redirects() {}

    static Optional<Hop> next(String method, URI from, int status, Optional<String> location) {
        if (location.isEmpty() || !(status == 301 || status == 302 || status == 303 || status == 307 || status == 308)) {
            return Optional.empty();
        }
        URI to;
        try {
            to = from.resolve(location.get().trim());
        } catch (IllegalArgumentException badLocation) {
            return Optional.empty();
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase();
        if (!(scheme.equals("http") || scheme.equals("https"))
                || "https".equalsIgnoreCase(from.getScheme()) && scheme.equals("http")) {
            return Optional.empty();
        }
        boolean toGet = status == 303 && !method.equals("HEAD") || (status == 301 || status == 302) && method.equals("POST");
        return Optional.of(toGet ? new Hop("GET", to, false) : new Hop(method, to, true));
    }
}
