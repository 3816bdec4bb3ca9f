package dev.tokenlog.worker.provider.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenlog.avro.Message;
import dev.tokenlog.avro.MessageToolCall;
import dev.tokenlog.worker.provider.MessageContent;
import dev.tokenlog.worker.provider.ProviderException;

/**
 * Messages in the two OpenAI request shapes: content parts (text, images by URL or as data: URLs) and
 * the tool calls of earlier assistant turns.
 */
final class OpenAiMessages {
    private OpenAiMessages() {}

    /**
     * Chat Completions: content is a string, or for a message with parts an array of {@code text} and
     * {@code image_url {url}} parts; an assistant's calls are {@code tool_calls}, and its content is
     * null when it said nothing besides them.
     */
    static void chat(ObjectNode out, Message message, String where) throws ProviderException {
        if (MessageContent.hasParts(message)) {
            ArrayNode content = out.putArray("content");
            for (MessageContent.Part part : MessageContent.parts(message, where)) {
                switch (part) {
                    case MessageContent.Text text -> content.addObject().put("type", "text").put("text", text.text());
                    case MessageContent.InlineImage image -> imageUrl(content, image.dataUrl());
                    case MessageContent.UrlImage image -> imageUrl(content, image.url());
                }
            }
        } else if (message.getContent().isEmpty() && !message.getToolCalls().isEmpty()) {
            out.putNull("content");
        } else {
            out.put("content", message.getContent());
        }
        if (!message.getToolCalls().isEmpty()) {
            ArrayNode calls = out.putArray("tool_calls");
            for (MessageToolCall call : message.getToolCalls()) {
                calls.addObject().put("id", call.getId()).put("type", "function").putObject("function")
                        .put("name", call.getName()).put("arguments", call.getArgumentsJson());
            }
        }
    }

    /**
     * Responses: a message item whose content is a string, or for a message with parts an array of
     * {@code input_text} and {@code input_image} (image_url a URL or data: URL); an assistant turn is
     * its text, followed by one {@code function_call} item per call (the message item left out when
     * it has no text).
     */
    static void responses(ArrayNode input, Message message, String where, String provider) throws ProviderException {
        boolean assistant = "assistant".equals(message.getRole());
        if (assistant) {
            String text = MessageContent.text(message, where, provider);
            if (!text.isEmpty() || message.getToolCalls().isEmpty()) {
                input.addObject().put("role", "assistant").put("content", text);
            }
            for (MessageToolCall call : message.getToolCalls()) {
                input.addObject().put("type", "function_call").put("call_id", call.getId())
                        .put("name", call.getName()).put("arguments", call.getArgumentsJson());
            }
        } else if (MessageContent.hasParts(message)) {
            ArrayNode content = input.addObject().put("role", message.getRole()).putArray("content");
            for (MessageContent.Part part : MessageContent.parts(message, where)) {
                switch (part) {
                    case MessageContent.Text text -> content.addObject().put("type", "input_text").put("text", text.text());
                    case MessageContent.InlineImage image -> inputImage(content, image.dataUrl());
                    case MessageContent.UrlImage image -> inputImage(content, image.url());
                }
            }
        } else {
            input.addObject().put("role", message.getRole()).put("content", message.getContent());
        }
    }

    private static void imageUrl(ArrayNode content, String url) {
        content.addObject().put("type", "image_url").putObject("image_url").put("url", url);
    }

    private static void inputImage(ArrayNode content, String url) {
        content.addObject().put("type", "input_image").put("image_url", url);
    }
}
