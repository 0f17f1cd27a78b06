package org.gtstore.bench.throughput;

/**
 * When the warm-up ends: once the rate is stable, but never before {@code minOps} and never
 * after {@code maxOps} or {@code maxMs}, so it always ends. The warm-up runs in windows of
 * about {@code windowMs}; it is stable when each of the last {@code stableWindows} windows
 * agrees with the others within {@code tolerancePercent} of their mean, in ops/s AND in the
 * whole machine's CPU per operation, and the JIT compiler threads took at most
 * {@code compilerPercentMax} of that CPU in each. A rate alone can sit on a plateau while the
 * JVMs are still compiling; the compilers' own CPU time says whether they are.
 *
 * @param minOps operations before the warm-up may end as stable
 * @param maxOps operations after which it ends in any case; 0 for no warm-up
 * @param maxMs milliseconds after which it ends in any case
 * @param windowMs the length of a window, roughly (windows are whole batches of operations)
 * @param tolerancePercent how far the windows may differ, in percent of their mean
 * @param stableWindows how many consecutive windows must agree
 * @param compilerPercentMax the JIT compilers' highest share of the CPU in a stable window,
 *     in percent; 100 ignores the compilers
 */
public record WarmupConfig(long minOps, long maxOps, long maxMs, long windowMs,
        double tolerancePercent, int stableWindows, double compilerPercentMax) {
    public static final long DEFAULT_MIN_OPS = 50_000;
    public static final long DEFAULT_MAX_OPS = 2_000_000;
    public static final long DEFAULT_MAX_MS = 60_000;
    public static final long DEFAULT_WINDOW_MS = 1_000;
    public static final double DEFAULT_TOLERANCE_PERCENT = 10;
    public static final int DEFAULT_STABLE_WINDOWS = 3;
    public static final double DEFAULT_COMPILER_PERCENT_MAX = 10;

    /** The warm-up of {@code gtctl bench throughput} unless told otherwise. */
    public static final WarmupConfig DEFAULTS = new WarmupConfig(DEFAULT_MIN_OPS,
            DEFAULT_MAX_OPS, DEFAULT_MAX_MS, DEFAULT_WINDOW_MS, DEFAULT_TOLERANCE_PERCENT,
            DEFAULT_STABLE_WINDOWS, DEFAULT_COMPILER_PERCENT_MAX);

    /** No warm-up. */
    public static final WarmupConfig NONE = new WarmupConfig(0, 0, DEFAULT_MAX_MS,
            DEFAULT_WINDOW_MS, DEFAULT_TOLERANCE_PERCENT, DEFAULT_STABLE_WINDOWS,
            DEFAULT_COMPILER_PERCENT_MAX);

    public WarmupConfig {
        if (minOps < 0) {
            throw new IllegalArgumentException("minOps < 0: " + minOps);
        }
        if (maxOps < minOps) {
            throw new IllegalArgumentException("maxOps < minOps: " + maxOps + " < " + minOps);
        }
        if (maxMs <= 0) {
            throw new IllegalArgumentException("maxMs <= 0: " + maxMs);
        }
        if (windowMs <= 0) {
            throw new IllegalArgumentException("windowMs <= 0: " + windowMs);
        }
        if (!(tolerancePercent > 0)) {
            throw new IllegalArgumentException("tolerancePercent <= 0: " + tolerancePercent);
        }
        if (stableWindows < 1) {
            throw new IllegalArgumentException("stableWindows < 1: " + stableWindows);
        }
        if (!(compilerPercentMax > 0 && compilerPercentMax <= 100)) {
            throw new IllegalArgumentException("compilerPercentMax not in (0, 100]: "
                    + compilerPercentMax);
        }
    }

    public boolean enabled() {
        return maxOps > 0;
    }
}
