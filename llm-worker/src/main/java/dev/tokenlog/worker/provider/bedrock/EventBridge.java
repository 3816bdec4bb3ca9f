package dev.tokenlog.worker.provider.bedrock;

import dev.tokenlog.worker.provider.ProviderException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;

/**
 * Hands the SDK's ConverseStream callbacks (on its own threads) to the adapter's calling thread, in
 * order, through a queue bounded by reactive-streams demand: {@value #WINDOW} events are requested
 * up front and one more each time the caller takes one, so a slow sink slows the HTTP read instead of
 * growing the queue. The first terminal signal (end, failure, stop) ends the call.
 */
final class EventBridge implements ConverseStreamResponseHandler, Subscriber<ConverseStreamOutput> {
    private static final int WINDOW = 64;
    private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    /** What the calling thread receives. */
    sealed interface Signal {
        record Event(ConverseStreamOutput event) implements Signal {}

        record Failed(Throwable error) implements Signal {}

        record Ended() implements Signal {}

        record Stopped() implements Signal {}
    }

    private final String provider;
    // Unbounded by type, bounded by demand: at most WINDOW events plus the terminal signals.
    private final BlockingQueue<Signal> queue = new LinkedBlockingQueue<>();
    private volatile Subscription subscription;
    private volatile boolean stopped;

    EventBridge(String provider) {
        this.provider = provider;
    }

    /**
     * The next signal; asks the SDK for one more event when it hands one out. When an exception frame
     * arrives the SDK may report its own cancellation (through the future) before the exception
     * itself and before the events queued ahead of it: such a cancellation, which we did not cause,
     * is held back for up to {@link #PRECISE_CAUSE_WAIT_MS} ms so the events and the precise error
     * come out first.
     */
    Signal take() throws InterruptedException {
        Signal.Failed heldCancellation = null;
        while (true) {
            Signal signal = heldCancellation == null ? queue.take()
                    : queue.poll(PRECISE_CAUSE_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (signal == null) {
                return heldCancellation;
            }
            if (signal instanceof Signal.Failed f && !stopped && isCancellation(f.error())) {
                heldCancellation = heldCancellation == null ? f : heldCancellation;
                continue;
            }
            if (signal instanceof Signal.Event && !stopped && heldCancellation == null) {
                subscription.request(1);
            }
            if (signal instanceof Signal.Event && heldCancellation != null) {
                queue.add(heldCancellation); // keep it behind the remaining events
            }
            return signal;
        }
    }

    private static final long PRECISE_CAUSE_WAIT_MS = 2000;

    private static boolean isCancellation(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.CancellationException
                    || t.getClass().getSimpleName().equals("SdkCancellationException")) {
                return true;
            }
        }
        return false;
    }

    /** Stops the event flow (the call was stopped or the adapter gave up) and wakes the caller. */
    void stop() {
        stopped = true;
        queue.add(new Signal.Stopped());
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    /** A failure seen outside the handler (the SDK's future). */
    void failed(Throwable error) {
        queue.add(new Signal.Failed(error));
    }

    // ---- ConverseStreamResponseHandler (SDK threads) ----

    @Override
    public void responseReceived(ConverseStreamResponse response) {
        String type = response.sdkHttpResponse().firstMatchingHeader("content-type").orElse("");
        if (!type.toLowerCase().startsWith(EVENT_STREAM)) {
            failed(ProviderException.protocol(provider + " answered HTTP " + response.sdkHttpResponse().statusCode()
                    + " with content type '" + type + "' instead of " + EVENT_STREAM));
            stop();
        }
    }

    @Override
    public void onEventStream(SdkPublisher<ConverseStreamOutput> publisher) {
        publisher.subscribe(this);
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        failed(error);
    }

    @Override
    public void complete() {
        // The end of the event stream reaches the caller through onComplete, behind the last event.
    }

    // ---- Subscriber (SDK threads, serialised by the publisher) ----

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (stopped) {
            s.cancel();
        } else {
            s.request(WINDOW);
        }
    }

    @Override
    public void onNext(ConverseStreamOutput event) {
        queue.add(new Signal.Event(event));
    }

    @Override
    public void onError(Throwable error) {
        failed(error);
    }

    @Override
    public void onComplete() {
        queue.add(new Signal.Ended());
    }
}
