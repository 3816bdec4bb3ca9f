package dev.tokenlog.fanout.fold;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Which requests already have their FinalAnswer, from the global {@link AnswerFold#ANSWERS_STORE}.
 * Guards "one FinalAnswer per request" where the fold's own state cannot: a request record or a
 * Started read after the request was answered (or abandoned) must not open it again.
 */
final class AnsweredRequests {
    private final KeyValueStore<String, ?> answers;

    private AnsweredRequests(KeyValueStore<String, ?> answers) {
        this.answers = answers;
    }

    static AnsweredRequests from(ProcessorContext<?, ?> context) {
        return new AnsweredRequests(context.getStateStore(AnswerFold.ANSWERS_STORE));
    }

    boolean contains(String requestId) {
        return answers.get(requestId) != null;
    }
}
