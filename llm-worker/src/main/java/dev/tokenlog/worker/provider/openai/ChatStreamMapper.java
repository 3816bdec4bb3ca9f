package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tokenlog.avro.FinishReason;
import dev.tokenlog.worker.provider.ProviderEvent;
import dev.tokenlog.worker.provider.ProviderException;
import dev.tokenlog.worker.provider.framing.SseEvent;
import dev.tokenlog.worker.provider.http.Secrets;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Maps a Chat Completions stream (and the OpenAI-compatible family's variants, see PROVIDERS.md) to
 * {@link ProviderEvent}s. Only choice 0 is read: the worker never asks for {@code n > 1}.
 *
 * <p>Decisions: a {@code refusal} is reported as {@link ProviderEvent.Text}, being what the model
 * says to the user; usage is kept (last one wins: Groq sends {@code x_groq.usage} and then top-level
 * usage, vLLM sends it on every chunk) and reported once, just before {@code Finished}; {@code [DONE]}
 * is the terminal, but a body that ends cleanly after a {@code finish_reason} without {@code [DONE]}
 * still finishes, because the answer is complete and only the bookkeeping chunks could be missing.
 * A body that ends with neither is a truncation.
 */
final class ChatStreamMapper extends SseMapper {
    private static final Logger LOG = Logger.getLogger(ChatStreamMapper.class);
    private static final String DONE = "[DONE]";

    private final ToolCalls toolCalls;
    private ChatChunk.Usage usage;
    private String finishReason;

    ChatStreamMapper(String provider, Secrets secrets, Consumer<ProviderEvent> sink) {
        super(provider, secrets, sink);
        this.toolCalls = new ToolCalls(provider, sink);
    }

    @Override
    protected void onEvent(SseEvent event) throws ProviderException {
        String data = event.data().strip();
        if (DONE.equals(data)) {
            finish();
        } else if ("error".equals(event.event())) {
            throw OpenAiErrors.inBand(provider, data.startsWith("{") ? Json.parse(provider, data, JsonNode.class)
                    : TextNode.valueOf(data));
        } else if (!data.isEmpty()) {
            chunk(Json.parse(provider, data, ChatChunk.class));
        }
    }

    @Override
    protected void onEndOfBody(boolean cut) throws ProviderException {
        if (finishReason == null) {
            throw new ProviderException("TRUNCATED", provider + "'s stream ended without finish_reason or [DONE]"
                    + (cut ? " (in the middle of an event)" : ""), true);
        }
        LOG.debugf("%s: stream ended after finish_reason '%s' without [DONE]; finishing", provider, finishReason);
        finish();
    }

    private void chunk(ChatChunk chunk) throws ProviderException {
        if (chunk.error() != null && !chunk.error().isNull()) {
            throw OpenAiErrors.inBand(provider, chunk.error());
        }
        if (chunk.xGroq() != null && chunk.xGroq().usage() != null) {
            usage = chunk.xGroq().usage();
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        for (ChatChunk.Choice choice : chunk.choices() == null ? List.<ChatChunk.Choice>of() : chunk.choices()) {
            if (choice.index() == 0) {
                choice(choice);
            }
        }
    }

    private void choice(ChatChunk.Choice choice) throws ProviderException {
        ChatChunk.Delta delta = choice.delta();
        if (delta != null) {
            reasoning(delta.reasoningContent());
            reasoning(delta.reasoning());
            content(delta.content());
            text(delta.refusal());
            List<ChatChunk.ToolCallDelta> fragments = delta.toolCalls() == null ? List.of() : delta.toolCalls();
            for (int i = 0; i < fragments.size(); i++) {
                toolCalls.fragment(fragments.get(i), i);
            }
        }
        String reason = choice.finishReason();
        if (reason != null && !reason.isEmpty()) {
            if ("error".equals(reason)) {
                throw OpenAiErrors.finishedWithError(provider, reason); // Mistral
            }
            finishReason = reason;
            toolCalls.endAll();
        }
    }

    /** A string, or Mistral's list of {@code text} and {@code thinking} parts (reasoning models). */
    private void content(JsonNode content) {
        if (content == null || !content.isTextual() && !content.isArray()) {
            return;
        }
        if (content.isTextual()) {
            text(content.asText());
            return;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> text(Json.text(part.path("text")));
                case "thinking" -> part.path("thinking").forEach(t -> reasoning(Json.text(t.path("text"))));
                default -> { } // e.g. reference parts (citations): not text
            }
        }
    }

    private void text(String text) {
        if (text != null && !text.isEmpty()) {
            sink.accept(new ProviderEvent.Text(text));
        }
    }

    private void reasoning(String text) {
        if (text != null && !text.isEmpty()) {
            sink.accept(new ProviderEvent.Reasoning(text));
        }
    }

    private void finish() {
        toolCalls.endAll();
        if (usage != null) {
            sink.accept(new ProviderEvent.Usage(usage.promptTokens(), usage.completionTokens(), usage.cached(),
                    usage.reasoning()));
        }
        sink.accept(new ProviderEvent.Finished(reason(finishReason, toolCalls.any()), finishReason));
        end();
    }

    /**
     * The normalised finish reason. Without one ({@code [DONE]} alone, or older Ollama's {@code ""}) the
     * answer ended normally; {@code stop} with tool calls means tool calls (older Ollama versions).
     */
    static FinishReason reason(String raw, boolean madeToolCalls) {
        return switch (raw == null ? "stop" : raw) {
            case "stop" -> madeToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "length", "model_length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }
}
