package dev.tokenlog.worker.provider.openai;

import dev.tokenlog.worker.provider.Provider;
import dev.tokenlog.worker.provider.ProviderCall;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.ProviderSettings;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * Streams from the OpenAI Responses API ({@code POST {base-url}/responses} with {@code stream: true};
 * also Azure OpenAI's and compatible servers' {@code /responses}). The base URL is the one the
 * official SDK takes (default {@code https://api.openai.com/v1}). Entry options {@code auth} and
 * {@code api-version} work as for {@link OpenAiChatProvider}. The request sends the conversation as
 * {@code input} with {@code max_output_tokens}; stop sequences are not part of this API and are not
 * sent. Retries, fallback and timeouts are the stream runner's; this adapter makes one call.
 */
public final class OpenAiResponsesProvider implements Provider {
    private final ProviderSettings settings;
    private final OpenAiHttp http;

    public OpenAiResponsesProvider(ProviderSettings settings) {
        this.settings = settings;
        this.http = new OpenAiHttp(settings, "/responses");
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        try (InputStream body = http.open(RequestBodies.responses(call, settings.name()), call)) {
            new ResponsesStreamMapper(settings.name(), http.secrets(), sink).read(body);
        }
    }
}
