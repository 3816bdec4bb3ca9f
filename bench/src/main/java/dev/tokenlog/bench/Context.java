package dev.tokenlog.bench;

/** What every scenario uses: the running stack and mock, the clients, the counts and the results. */
record Context(Stack stack, MockProvider mock, SseClient sse, Gateway gateway, StreamLoad load, Scale scale,
               Results results) {

    /** The 20 tokens/s stream of the issue, with half a second before the first token so the subscriber is in place. */
    static StreamLoad.Shape chatShape(int tokens) {
        return new StreamLoad.Shape(20, tokens, 500);
    }

    static String ms(double value) {
        return String.format("%.1f", value);
    }
}
