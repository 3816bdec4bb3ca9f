package dev.tokenlog.fanout.fold;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one answer-fold topology, shared by all its tasks and stream threads. Create one per
 * topology and pass it to {@link AnswerFold#build}; bind the readers to a metrics registry as gauges.
 */
public final class FoldMetrics {
    private final AtomicLong chunksFolded = new AtomicLong();
    private final AtomicLong duplicatesIgnored = new AtomicLong();
    private final AtomicLong lateChunksIgnored = new AtomicLong();
    private final AtomicLong staleChunksIgnored = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong answersEmitted = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong tooLarge = new AtomicLong();

    /** Chunks applied to a request's state (terminals included). */
    public long chunksFolded() {
        return chunksFolded.get();
    }

    /** Chunks ignored because their (attemptId, seq) was already folded. */
    public long duplicatesIgnored() {
        return duplicatesIgnored.get();
    }

    /** Chunks (or Started) ignored because their request already has its FinalAnswer. */
    public long lateChunksIgnored() {
        return lateChunksIgnored.get();
    }

    /** Chunks ignored because they belong to an attempt that is not the request's current one. */
    public long staleChunksIgnored() {
        return staleChunksIgnored.get();
    }

    /** Missing seq numbers detected, summed over all attempts. */
    public long gaps() {
        return gaps.get();
    }

    /** FinalAnswers written, abandoned ones included. */
    public long answersEmitted() {
        return answersEmitted.get();
    }

    /** FinalAnswers written with status ABANDONED. */
    public long abandoned() {
        return abandoned.get();
    }

    /** FinalAnswers written with their output cut at {@code tokenlog.fold.max-answer-bytes}. */
    public long answersTruncated() {
        return truncated.get();
    }

    /** FinalAnswers that would not fit llm.answers, written as FAILED {@code ANSWER_TOO_LARGE} instead. */
    public long answersTooLarge() {
        return tooLarge.get();
    }

    /** All counters by name, for logging or a metrics binder. */
    public Map<String, Long> snapshot() {
        Map<String, Long> all = new LinkedHashMap<>();
        all.put("chunks-folded", chunksFolded());
        all.put("duplicates-ignored", duplicatesIgnored());
        all.put("late-chunks-ignored", lateChunksIgnored());
        all.put("stale-chunks-ignored", staleChunksIgnored());
        all.put("gaps", gaps());
        all.put("answers-emitted", answersEmitted());
        all.put("abandoned", abandoned());
        all.put("answers-truncated", answersTruncated());
        all.put("answers-too-large", answersTooLarge());
        return all;
    }

    void onFolded() {
        chunksFolded.incrementAndGet();
    }

    void onDuplicate() {
        duplicatesIgnored.incrementAndGet();
    }

    void onLate() {
        lateChunksIgnored.incrementAndGet();
    }

    void onStale() {
        staleChunksIgnored.incrementAndGet();
    }

    void onGap(long missing) {
        gaps.addAndGet(missing);
    }

    void onAnswer() {
        answersEmitted.incrementAndGet();
    }

    void onAbandoned() {
        abandoned.incrementAndGet();
    }

    void onTruncated() {
        truncated.incrementAndGet();
    }

    void onTooLarge() {
        tooLarge.incrementAndGet();
    }
}
