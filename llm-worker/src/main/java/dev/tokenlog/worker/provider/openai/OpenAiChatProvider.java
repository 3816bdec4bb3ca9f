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
 * Streams from the OpenAI Chat Completions API ({@code POST {base-url}/chat/completions} with
 * {@code stream: true}) and from servers that copy it: Azure OpenAI, Mistral, DeepSeek, xAI, Groq,
 * Perplexity, vLLM, Ollama {@code /v1} and others. The base URL is the one the official SDK takes
 * (e.g. {@code https://api.openai.com/v1}, the default). Entry options:
 * <ul>
 *   <li>{@code auth}: {@code bearer} (default) or {@code api-key} (Azure's header);</li>
 *   <li>{@code api-version}: appended as {@code ?api-version=} (Azure);</li>
 *   <li>{@code max-tokens-field}: {@code max_tokens} (default) or {@code max_completion_tokens}
 *       (OpenAI reasoning models);</li>
 *   <li>{@code include-usage}: {@code true} (default) asks for the usage chunk; {@code false} for
 *       servers that reject {@code stream_options}.</li>
 * </ul>
 * Retries, fallback and timeouts are the stream runner's; this adapter makes one call.
 */
public final class OpenAiChatProvider implements Provider {
    private final ProviderSettings settings;
    private final OpenAiHttp http;

    public OpenAiChatProvider(ProviderSettings settings) {
        this.settings = settings;
        this.http = new OpenAiHttp(settings, "/chat/completions");
    }

    @Override
    public void stream(ProviderCall call, Consumer<ProviderEvent> sink)
            throws ProviderException, IOException, InterruptedException {
        try (InputStream body = http.open(RequestBodies.chat(call, settings), call)) {
            new ChatStreamMapper(settings.name(), http.secrets(), sink).read(body);
        }
    }
}
