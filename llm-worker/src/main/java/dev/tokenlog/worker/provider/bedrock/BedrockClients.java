package dev.tokenlog.worker.provider.bedrock;

import dev.tokenlog.worker.provider.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.token.credentials.SdkToken;
import software.amazon.awssdk.auth.token.credentials.StaticTokenProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClientBuilder;
import software.amazon.awssdk.services.bedrockruntime.auth.scheme.BedrockRuntimeAuthSchemeProvider;

/**
 * Builds the SDK's async Bedrock Runtime client of one provider entry: region, auth (SigV4 from the
 * credential chain, or a Bedrock API key as bearer token), endpoint override, Netty settings. SDK
 * retries are off and Netty's read timeout is disabled: retries and idle timeouts are the runner's.
 */
final class BedrockClients {
    static final String AUTH_SIGV4 = "sigv4";
    static final String AUTH_BEARER = "bearer-key";
    /** Netty's default (50) would cap a worker at 50 concurrent streams per entry. */
    static final int DEFAULT_MAX_CONCURRENCY = 1000;

    private BedrockClients() {}

    static BedrockRuntimeAsyncClient build(ProviderSettings settings, AwsCredentialsProvider credentials) {
        BedrockRuntimeAsyncClientBuilder builder = BedrockRuntimeAsyncClient.builder()
                .region(region(settings))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .connectionTimeout(settings.connectTimeout())
                        .readTimeout(Duration.ZERO)
                        .protocol(protocol(settings))
                        .maxConcurrency(settings.positiveIntOption("max-concurrency").orElse(DEFAULT_MAX_CONCURRENCY)))
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    settings.headers().forEach(o::putHeader);
                });
        if (!settings.baseUrl().isBlank()) {
            builder.endpointOverride(URI.create(settings.baseUrl()));
        }
        if (AUTH_BEARER.equals(auth(settings))) {
            String key = settings.apiKey().orElseThrow();
            builder.tokenProvider(StaticTokenProvider.create(new ApiKey(key)))
                    // The same preference the SDK applies for AWS_BEARER_TOKEN_BEDROCK.
                    .authSchemeProvider(BedrockRuntimeAuthSchemeProvider.defaultProvider(List.of("httpBearerAuth")));
        } else {
            builder.credentialsProvider(credentials);
        }
        return builder.build();
    }

    /**
     * Option {@code auth}: {@value #AUTH_BEARER} (the entry's api-key is a Bedrock API key, sent as
     * {@code Authorization: Bearer}) or {@value #AUTH_SIGV4} (the default credential chain); the
     * default is bearer when an api-key is configured, else SigV4.
     */
    static String auth(ProviderSettings settings) {
        String auth = settings.option("auth", settings.apiKey().isPresent() ? AUTH_BEARER : AUTH_SIGV4);
        if (!AUTH_BEARER.equals(auth) && !AUTH_SIGV4.equals(auth)) {
            throw new IllegalArgumentException("tokenlog.providers." + settings.name() + ".options.auth must be "
                    + AUTH_SIGV4 + " or " + AUTH_BEARER + ", got '" + auth + "'");
        }
        if (AUTH_BEARER.equals(auth) && settings.apiKey().isEmpty()) {
            throw new IllegalArgumentException("tokenlog.providers." + settings.name()
                    + ".options.auth=" + AUTH_BEARER + " needs the entry's api-key (a Bedrock API key)");
        }
        return auth;
    }

    /**
     * Option {@code http-protocol}: {@code http1.1} (default) or {@code h2}. The SDK defaults this
     * client to HTTP/2 (for its bidirectional API); ConverseStream is a one-way response stream that
     * Bedrock serves over HTTP/1.1 too, which also works through HTTP/1.1-only proxies and endpoints.
     */
    private static Protocol protocol(ProviderSettings settings) {
        return switch (settings.option("http-protocol", "http1.1")) {
            case "http1.1" -> Protocol.HTTP1_1;
            case "h2" -> Protocol.HTTP2;
            default -> throw new IllegalArgumentException("tokenlog.providers." + settings.name()
                    + ".options.http-protocol must be http1.1 or h2, got '" + settings.option("http-protocol", "") + "'");
        };
    }

    /** Option {@code region}, else the SDK's region chain (AWS_REGION, aws.region, profile, instance metadata). */
    private static Region region(ProviderSettings settings) {
        Optional<String> configured = Optional.ofNullable(settings.options().get("region")).filter(r -> !r.isBlank());
        if (configured.isPresent()) {
            return Region.of(configured.get().trim());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException("tokenlog.providers." + settings.name()
                    + " (bedrock) has no region: set options.region or AWS_REGION", e);
        }
    }

    /** A Bedrock API key as the SDK's bearer token; never printed. */
    private record ApiKey(String token) implements SdkToken {
        @Override
        public Optional<Instant> expirationTime() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "ApiKey[***]";
        }
    }
}
