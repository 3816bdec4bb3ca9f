package dev.tokenlog.fanout.fold;

import dev.tokenlog.avro.FinalAnswer;

/** What folding one chunk does to the state store. */
sealed interface FoldStep {

    /** Store the new state. */
    record Keep(FoldState state) implements FoldStep {}

    /** The request ended: write its answer and delete its state. */
    record Emit(FinalAnswer answer) implements FoldStep {}

    /** Nothing changes (duplicate, late or stale chunk). */
    record Skip() implements FoldStep {}

    Skip SKIP = new Skip();
}
