package dev.tokenlog.worker.provider.bedrock;

import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import dev.tokenlog.worker.provider.http.Secrets;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;

/**
 * AWS Bedrock adapter over the Converse API's {@code ConverseStream}, through the AWS SDK for Java v2
 * (async client on Netty; the SDK does the SigV4 signing and the {@code application/vnd.amazon.eventstream}
 * framing). Options: {@code region} (else the SDK's region chain, e.g. {@code AWS_REGION}),
 * {@code auth} ({@code sigv4}: the default credential chain, e.g. {@code AWS_ACCESS_KEY_ID}, profile,
 * instance role; {@code bearer-key}: the entry's api-key is a Bedrock API key sent as
 * {@code Authorization: Bearer}; default bearer-key when an api-key is set), {@code max-concurrency}
 * (streams at once, default 1000). {@code base-url}, when set, overrides the regional endpoint.
 * SDK retries are disabled: retries, fallback and timeouts are the runner's job.
 */
public final class BedrockProvider implements Provider {
    private final ProviderSettings settings;
    private final Secrets secrets;
    private final BedrockRuntimeAsyncClient client;

    public BedrockProvider(ProviderSettings settings) {
        this(settings, DefaultCredentialsProvider.builder().build());
    }

    /** With explicit SigV4 credentials (tests); used only when the entry authenticates with SigV4. */
    BedrockProvider(ProviderSettings settings, AwsCredentialsProvider credentials) {
        this.settings = settings;
        this.secrets = Secrets.of(settings.apiKey().orElse(null));
        this.client = BedrockClients.build(settings, credentials);
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        EventBridge bridge = new EventBridge(settings.name());
        BedrockStreamMapper mapper = new BedrockStreamMapper(settings.name(), sink);
        CompletableFuture<Void> response = client.converseStream(BedrockRequests.request(call), bridge);
        response.whenComplete((ignored, error) -> {
            if (error != null) {
                bridge.failed(error);
            }
        });
        // Cancelling the SDK's future aborts the request and closes its connection.
        call.onStop().closeOnStop(() -> {
            bridge.stop();
            response.cancel(true);
        });
        boolean ended = false;
        try {
            while (!ended) {
                switch (bridge.take()) {
                    case EventBridge.Signal.Event e -> mapper.on(e.event());
                    case EventBridge.Signal.Ended e -> {
                        ended = true;
                        mapper.end();
                    }
                    case EventBridge.Signal.Failed f -> throw BedrockErrors.from(settings.name(), f.error(), secrets);
                    case EventBridge.Signal.Stopped s -> throw new IOException(settings.name() + " stream was stopped");
                }
            }
        } finally {
            if (!ended) {
                bridge.stop();
                response.cancel(true);
            }
        }
    }
}
