package org.gtstore.client.internal;

/**
 * Where one operation stands in its retries. Immutable: each failed attempt makes a new state,
 * so a scheduled retry cannot see a later attempt's changes.
 *
 * @param attempts attempts made so far
 * @param backoffs back-offs waited so far (the back-off delay doubles with each)
 * @param startNanos when the operation started ({@code System.nanoTime()})
 * @param deadlineNanos when it must have finished
 * @param last the last attempt's failure, or null before the first failure
 */
public record RetryState(int attempts, int backoffs, long startNanos, long deadlineNanos,
        Failure last) {

    public static RetryState start(long nowNanos, long deadlineNanos) {
        return new RetryState(0, 0, nowNanos, nowNanos + deadlineNanos, null);
    }

    /** The state after an attempt that failed. */
    public RetryState failed(Failure failure) {
        return new RetryState(attempts + 1, backoffs, startNanos, deadlineNanos, failure);
    }

    /**
     * The state after an attempt that the operation's deadline cut short: counted, but the
     * failure before it stays the one to report.
     */
    public RetryState attemptedAtDeadline() {
        return new RetryState(attempts + 1, backoffs, startNanos, deadlineNanos, last);
    }

    /** The state after a failure that happened before any request was sent. */
    public RetryState blocked(Failure failure) {
        return new RetryState(attempts, backoffs, startNanos, deadlineNanos, failure);
    }

    /** The state after waiting out one back-off. */
    public RetryState backedOff() {
        return new RetryState(attempts, backoffs + 1, startNanos, deadlineNanos, last);
    }

    public long remainingNanos(long nowNanos) {
        return deadlineNanos - nowNanos;
    }
}
