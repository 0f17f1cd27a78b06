package org.gtstore.bench.throughput;

import java.util.Locale;

/**
 * How a warm-up went.
 *
 * @param ending stable, a cap, or none (no warm-up)
 * @param ops operations it ran
 * @param elapsedMs how long it took
 * @param windows how many windows it ran
 * @param reason for a cap, why the last windows were not stable; empty otherwise
 * @param lastWindows the ranges of the last windows (ops/s, CPU per op, compilers' share)
 */
public record WarmupResult(StabilityRule.Ending ending, long ops, long elapsedMs, int windows,
        String reason, String lastWindows) {
    public static final WarmupResult NONE =
            new WarmupResult(StabilityRule.Ending.NONE, 0, 0, 0, "", "");

    /** One line for the report, e.g. "stable after 412,000 ops in 31.2 s (...)". */
    public String describe() {
        return switch (ending) {
            case NONE -> "none";
            case STABLE -> String.format(Locale.US, "stable after %,d ops in %.1f s (%s)", ops,
                    elapsedMs / 1000.0, lastWindows);
            default -> String.format(Locale.US, "%s after %,d ops in %.1f s, not stable: %s"
                    + " (%s)", ending.label(), ops, elapsedMs / 1000.0, reason, lastWindows);
        };
    }
}
