package dev.tokenlog.worker.provider.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/**
 * The bytes of a {@link HttpRequest}'s body, collected from its publisher (the adapters' bodies are small
 * JSON documents built with {@code BodyPublishers.ofString}, which publish at once).
 */
final class RequestBodies {
    private RequestBodies() {}

    /** The body's bytes, or null if the request has none (a GET or HEAD without one). */
    static byte[] of(HttpRequest request) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = request.bodyPublisher().orElse(null);
        boolean bodiless = request.method().equals("GET") || request.method().equals("HEAD");
        if (publisher == null || bodiless && publisher.contentLength() == 0) {
            return null;
        }
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.writeBytes(chunk);
            }

            @Override
            public void onError(Throwable failure) {
                bytes.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                bytes.complete(out.toByteArray());
            }
        });
        try {
            return bytes.get();
        } catch (ExecutionException e) {
            throw new IOException("the request body could not be produced", e.getCause());
        }
    }
}
