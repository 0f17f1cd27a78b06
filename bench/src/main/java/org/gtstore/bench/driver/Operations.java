package org.gtstore.bench.driver;

import java.util.concurrent.CompletionStage;

/** The operations of one phase, numbered 0..total-1, as {@link ClosedLoopDriver} runs them. */
public interface Operations {
    /**
     * Starts operation {@code index} and returns at once. Called from the benchmark thread for
     * the first window and afterwards from whichever thread completed the previous operation.
     */
    CompletionStage<?> start(int index);

    /**
     * Called exactly once per operation, on the completing thread, with the time from just
     * before {@link #start} to completion, and either the result or the error (never both).
     * It must be quick and thread-safe; an exception thrown here fails the phase.
     */
    void completed(int index, long latencyNs, Object result, Throwable error);
}
