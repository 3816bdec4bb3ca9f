package dev.tokenlog.worker.consume;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import dev.tokenlog.schemas.limits.RequestLimits;
import java.util.Optional;

/**
 * Checks that a decoded request can be executed and keeps the request limits ({@code tokenlog.limits.*},
 * the gateway's rule); the gateway validates too, this guards other producers.
 */
final class RequestValidation {
    private RequestValidation() {}

    /** Why the request cannot run, or empty when it can. */
    static Optional<String> problem(String key, LlmRequest request, RequestLimits limits) {
        if (request.getRequestId() == null || request.getRequestId().isBlank()) {
            return Optional.of("requestId is empty");
        }
        if (!request.getRequestId().equals(key)) {
            return Optional.of("record key " + RequestLimits.shown(key) + " differs from requestId "
                    + RequestLimits.shown(request.getRequestId()) + "; chunks must be keyed by requestId");
        }
        if (request.getRoute().isEmpty()) {
            return Optional.of("route is empty: at least one provider/model target is needed");
        }
        for (RouteTarget target : request.getRoute()) {
            if (target.getProvider().isBlank() || target.getModel().isBlank()) {
                return Optional.of("route target " + RequestLimits.shown(target.getProvider() + "/" + target.getModel())
                        + " needs both a provider and a model");
            }
        }
        if (request.getMessages().isEmpty()) {
            return Optional.of("messages is empty");
        }
        return limits.check(request).map(v -> "over the request limits: " + v.message());
    }
}
