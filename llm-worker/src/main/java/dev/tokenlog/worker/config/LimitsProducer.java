package dev.tokenlog.worker.config;

import dev.tokenlog.schemas.limits.LimitSettings;
import dev.tokenlog.schemas.limits.RequestLimits;
import dev.tokenlog.worker.provider.ProviderRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The worker's {@link RequestLimits}, the gateway's rule for records that reach {@code llm.requests} by
 * any other way: the providers are this worker's entries ({@code tokenlog.providers.<name>}), the mock
 * only with {@code tokenlog.mock.enabled=true}.
 */
@ApplicationScoped
public class LimitsProducer {
    private static final Logger LOG = Logger.getLogger(LimitsProducer.class);

    @Produces
    @Singleton
    RequestLimits limits(LimitsConfig config, ProviderRegistry providers,
                         @ConfigProperty(name = "tokenlog.mock.enabled", defaultValue = "false") boolean mockEnabled) {
        LimitSettings settings = config.settings(providers.entryNames(), mockEnabled);
        LOG.infof("request limits: providers and their max_tokens %s, at most %d fallbacks, metadata %d keys / %d"
                        + " bytes, timeouts up to %s", settings.providerMaxTokens(), settings.maxFallbacks(),
                settings.metadataMaxKeys(), settings.metadataMaxBytes(), settings.maxTimeout());
        return new RequestLimits(settings);
    }
}
