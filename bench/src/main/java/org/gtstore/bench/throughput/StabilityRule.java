package org.gtstore.bench.throughput;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Decides after each warm-up window whether the warm-up goes on, from the windows so far
 * alone (no clock, no I/O), so it can be tested with made-up windows. Stability is checked
 * before the caps: a warm-up that becomes stable in its last allowed window ends as stable.
 *
 * <p>Stable means, over the last {@link WarmupConfig#stableWindows} windows and once
 * {@link WarmupConfig#minOps} have run: every window's ops/s within
 * {@link WarmupConfig#tolerancePercent} of their mean, every window's CPU per operation too
 * (when CPU is measured), and in every one of them the JIT compilers at most
 * {@link WarmupConfig#compilerPercentMax} of the CPU.
 */
public final class StabilityRule {
    /** How the warm-up ended, or that it goes on. */
    public enum Ending {
        CONTINUE("running"),
        STABLE("stable"),
        OPS_CAP("hit the ops cap"),
        TIME_CAP("hit the time cap"),
        NONE("none");

        private final String label;

        Ending(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The decision, and what the last windows looked like (why it is or is not stable). */
    public record Verdict(Ending ending, String detail) {
    }

    private StabilityRule() {
    }

    /**
     * @param windows every window so far, oldest first
     * @param ops operations run so far
     * @param elapsedMs time since the warm-up started
     */
    public static Verdict judge(WarmupConfig c, List<WarmupWindow> windows, long ops,
            long elapsedMs) {
        String unstable = ops < c.minOps()
                ? String.format(Locale.US, "fewer than %,d ops", c.minOps())
                : whyUnstable(c, windows);
        if (unstable == null) {
            return new Verdict(Ending.STABLE, describe(c, windows));
        }
        if (ops >= c.maxOps()) {
            return new Verdict(Ending.OPS_CAP, unstable);
        }
        if (elapsedMs >= c.maxMs()) {
            return new Verdict(Ending.TIME_CAP, unstable);
        }
        return new Verdict(Ending.CONTINUE, unstable);
    }

    /** Null if the last windows are stable, else the first reason they are not. */
    static String whyUnstable(WarmupConfig c, List<WarmupWindow> windows) {
        int n = c.stableWindows();
        if (windows.size() < n) {
            return windows.size() + " of " + n + " windows";
        }
        List<WarmupWindow> last = windows.subList(windows.size() - n, windows.size());
        double rateSpread = spreadPercent(last, WarmupWindow::opsPerSec);
        if (rateSpread > c.tolerancePercent()) {
            return String.format(Locale.US, "ops/s differ by %.0f%% > %.0f%%", rateSpread,
                    c.tolerancePercent());
        }
        if (last.stream().allMatch(w -> w.cpuUs() > 0)) {
            double cpuSpread = spreadPercent(last, WarmupWindow::cpuUsPerOp);
            if (cpuSpread > c.tolerancePercent()) {
                return String.format(Locale.US, "CPU/op differs by %.0f%% > %.0f%%",
                        cpuSpread, c.tolerancePercent());
            }
        }
        double compilers = last.stream().mapToDouble(WarmupWindow::compilerPercent).max()
                .orElse(0);
        if (compilers > c.compilerPercentMax()) {
            return String.format(Locale.US, "JIT compilers %.0f%% of CPU > %.0f%%", compilers,
                    c.compilerPercentMax());
        }
        return null;
    }

    /**
     * The largest distance of a window's value from the windows' mean, in percent of the
     * mean; 0 if the mean is 0.
     */
    static double spreadPercent(List<WarmupWindow> windows, ToDoubleFunction<WarmupWindow> f) {
        double mean = windows.stream().mapToDouble(f).average().orElse(0);
        if (mean <= 0) {
            return 0;
        }
        double worst = 0;
        for (WarmupWindow w : windows) {
            worst = Math.max(worst, Math.abs(f.applyAsDouble(w) - mean));
        }
        return 100 * worst / mean;
    }

    /** The last windows' ranges, e.g. "13,050-13,610 ops/s, 88-92 us CPU/op, JIT <= 4%". */
    static String describe(WarmupConfig c, List<WarmupWindow> windows) {
        int n = Math.min(c.stableWindows(), windows.size());
        List<WarmupWindow> last = windows.subList(windows.size() - n, windows.size());
        return String.format(Locale.US, "%,.0f-%,.0f ops/s, %.0f-%.0f us CPU/op, JIT <= %.0f%%",
                min(last, WarmupWindow::opsPerSec), max(last, WarmupWindow::opsPerSec),
                min(last, WarmupWindow::cpuUsPerOp), max(last, WarmupWindow::cpuUsPerOp),
                max(last, WarmupWindow::compilerPercent));
    }

    private static double min(List<WarmupWindow> w, ToDoubleFunction<WarmupWindow> f) {
        return w.stream().mapToDouble(f).min().orElse(0);
    }

    private static double max(List<WarmupWindow> w, ToDoubleFunction<WarmupWindow> f) {
        return w.stream().mapToDouble(f).max().orElse(0);
    }
}
