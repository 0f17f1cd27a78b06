package org.gtstore.bench.progress;

/**
 * A snapshot of a running benchmark phase.
 *
 * @param phase what is running, e.g. {@code "preload"} or {@code "K=3"}
 * @param completed operations finished so far, successful or not
 * @param total operations in the phase
 * @param errors operations that failed so far
 * @param elapsedNs time since the phase started
 * @param recentOpsPerSec the completion rate over about the last second; on the final snapshot
 *     of a phase, the rate over the whole phase
 * @param finished true on the last snapshot of the phase, sent once when it ends
 */
public record Progress(
        String phase,
        long completed,
        long total,
        long errors,
        long elapsedNs,
        double recentOpsPerSec,
        boolean finished) {

    public Progress {
        if (phase == null) {
            throw new NullPointerException("phase == null");
        }
        if (total < 0 || completed < 0 || completed > total) {
            throw new IllegalArgumentException(
                    "completed not in [0, total]: completed=" + completed + " total=" + total);
        }
    }

    /** The finished fraction in [0, 1]; an empty phase counts as done. */
    public double fraction() {
        return total == 0 ? 1.0 : (double) completed / total;
    }
}
