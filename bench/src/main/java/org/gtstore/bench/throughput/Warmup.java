package org.gtstore.bench.throughput;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.gtstore.bench.cost.CostMeter;
import org.gtstore.bench.cost.CpuSample;
import org.gtstore.bench.driver.ClosedLoopDriver;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.driver.Operations;
import org.gtstore.bench.driver.PhaseResult;
import org.gtstore.bench.progress.Progress;
import org.gtstore.bench.progress.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the warm-up as consecutive windows, each a closed-loop batch of operations sized to
 * last about {@link WarmupConfig#windowMs} at the last window's rate, and asks
 * {@link StabilityRule} after each whether to go on. Around each window it samples the CPU of
 * every measured process and of their JIT compiler threads, and asks the data servers for their
 * counts as the measured phase will.
 *
 * <p>Its progress is reported as one phase, {@code "warmup"}, against the ops cap, finishing at
 * the operations it ran. Failed operations are logged, not fatal: the measured phase counts its
 * own. Each window's operations, rate, CPU per operation and compilers' share are logged at
 * DEBUG.
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    private static final int FIRST_WINDOW_OPS = 2_000;
    private static final int WINDOW_OPS_MIN = 500;

    private Warmup() {
    }

    /**
     * @param operations the operations of one window, given how many warm-up operations ran
     *     before it (numbered from 0 within the window)
     */
    static WarmupResult run(WarmupConfig c, DriverSettings driver, CostMeter meter,
            LongFunction<Operations> operations, ProgressListener listener)
            throws InterruptedException {
        if (!c.enabled()) {
            return WarmupResult.NONE;
        }
        long startNs = System.nanoTime();
        List<WarmupWindow> windows = new ArrayList<>();
        long done = 0;
        long errors = 0;
        int next = FIRST_WINDOW_OPS;
        while (true) {
            int size = (int) Math.min(next, c.maxOps() - done);
            long offset = done;
            // The probe the measured phase makes before and after it (GetStats on every data
            // server), once between windows: its message types then pass through gRPC in
            // every JVM before measuring, and the first one does not make C2 discard the
            // compiled send paths in the measured phase.
            meter.serverCounts();
            CpuSample before = meter.cpu(true);
            PhaseResult r = ClosedLoopDriver.run(ThroughputBenchmark.WARMUP_PHASE, size, driver,
                    operations.apply(offset), windowProgress(listener, offset, c.maxOps(),
                            startNs));
            CpuSample after = meter.cpu(true);
            done += size;
            errors += r.errors();
            WarmupWindow w = new WarmupWindow(size, Math.max(1, r.wallTimeNs()),
                    meter.microseconds(after.ticksSince(before)),
                    meter.microseconds(after.compilerTicksSince(before)));
            windows.add(w);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            StabilityRule.Verdict v = StabilityRule.judge(c, windows, done, elapsedMs);
            LOG.debug("warm-up window {}: {} ops/s, {} us CPU/op, JIT {}%: {}", windows.size(),
                    Math.round(w.opsPerSec()), Math.round(w.cpuUsPerOp()),
                    Math.round(w.compilerPercent()), v.detail());
            if (v.ending() != StabilityRule.Ending.CONTINUE) {
                listener.onProgress(new Progress(ThroughputBenchmark.WARMUP_PHASE, done, done,
                        errors, System.nanoTime() - startNs, w.opsPerSec(), true));
                if (errors > 0) {
                    LOG.warn("warm-up: {} of {} operations failed", errors, done);
                }
                String reason = v.ending() == StabilityRule.Ending.STABLE ? "" : v.detail();
                return new WarmupResult(v.ending(), done, elapsedMs, windows.size(), reason,
                        StabilityRule.describe(c, windows));
            }
            next = (int) Math.max(WINDOW_OPS_MIN,
                    Math.min(Integer.MAX_VALUE, w.opsPerSec() * c.windowMs() / 1000.0));
        }
    }

    /** A window's progress as part of the whole warm-up; its own end is not the phase's. */
    private static ProgressListener windowProgress(ProgressListener listener, long offset,
            long total, long startNs) {
        return p -> {
            if (!p.finished()) {
                listener.onProgress(new Progress(p.phase(), offset + p.completed(), total,
                        p.errors(), System.nanoTime() - startNs, p.recentOpsPerSec(), false));
            }
        };
    }
}
