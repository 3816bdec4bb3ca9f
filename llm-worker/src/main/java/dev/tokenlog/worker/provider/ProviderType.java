package dev.tokenlog.worker.provider;

import dev.tokenlog.worker.config.ProvidersConfig;

/**
 * A provider type beyond the built-in ones, contributed as a CDI bean: an entry whose
 * {@code tokenlog.providers.<name>.type} equals {@link #type()} is built by {@link #create}. The tests
 * use it to register a provider that fails in ways no real provider can be made to.
 */
public interface ProviderType {

    /** The value of {@code tokenlog.providers.<name>.type} this type answers to. */
    String type();

    /** The adapter of entry {@code name}. */
    Provider create(String name, ProvidersConfig.ProviderEntry entry);
}
