package dev.tokenlog.fanout.config;

import dev.tokenlog.schemas.limits.LimitSettings;
import dev.tokenlog.schemas.limits.RequestLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The gateway's {@link RequestLimits}: the providers it accepts are {@code tokenlog.limits.default-providers}
 * and those with a {@code tokenlog.limits.providers.<name>} entry, plus the mock when
 * {@code tokenlog.mock.enabled=true}.
 */
@ApplicationScoped
public class LimitsProducer {
    private static final Logger LOG = Logger.getLogger(LimitsProducer.class);

    @Produces
    @Singleton
    RequestLimits limits(LimitsConfig config, @ConfigProperty(name = "tokenlog.mock.enabled", defaultValue = "false")
                         boolean mockEnabled) {
        LimitSettings settings = config.settings(config.gatewayProviders(), mockEnabled);
        LOG.infof("request limits: providers and their max_tokens %s, at most %d fallbacks, metadata %d keys / %d"
                        + " bytes, timeouts up to %s", settings.providerMaxTokens(), settings.maxFallbacks(),
                settings.metadataMaxKeys(), settings.metadataMaxBytes(), settings.maxTimeout());
        return new RequestLimits(settings);
    }
}
