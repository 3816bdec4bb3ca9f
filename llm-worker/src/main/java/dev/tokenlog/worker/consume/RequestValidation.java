package dev.tokenlog.worker.consume;

import dev.tokenlog.avro.LlmRequest;
import dev.tokenlog.avro.RouteTarget;
import java.util.Optional;

/** Checks that a decoded request can be executed; the gateway validates too, this guards other producers. */
final class RequestValidation {
    private RequestValidation() {}

    /** Why the request cannot run, or empty when it can. */
    static Optional<String> problem(String key, LlmRequest request) {
        if (request.getRequestId() == null || request.getRequestId().isBlank()) {
            return Optional.of("requestId is empty");
        }
        if (!request.getRequestId().equals(key)) {
            return Optional.of("record key '" + key + "' differs from requestId '" + request.getRequestId()
                    + "'; chunks must be keyed by requestId");
        }
        if (request.getRoute().isEmpty()) {
            return Optional.of("route is empty: at least one provider/model target is needed");
        }
        for (RouteTarget target : request.getRoute()) {
            if (target.getProvider().isBlank() || target.getModel().isBlank()) {
                return Optional.of("route target '" + target.getProvider() + "/" + target.getModel()
                        + "' needs both a provider and a model");
            }
        }
        if (request.getMessages().isEmpty()) {
            return Optional.of("messages is empty");
        }
        return Optional.empty();
    }
}
