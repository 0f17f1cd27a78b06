package org.gtstore.bench.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.bench.throughput.StabilityRule.Ending;
import org.gtstore.bench.throughput.StabilityRule.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StabilityRuleTest {
    /** At least 10,000 ops, at most 100,000 or 60 s; 3 windows within 10%; JIT at most 10%. */
    private static final WarmupConfig C = new WarmupConfig(10_000, 100_000, 60_000, 1_000, 10,
            3, 10);

    /** A one-second window of {@code opsPerSec} at {@code cpuUsPerOp}, JIT {@code jit}%. */
    private static WarmupWindow w(long opsPerSec, double cpuUsPerOp, double jitPercent) {
        double cpu = opsPerSec * cpuUsPerOp;
        return new WarmupWindow(opsPerSec, 1_000_000_000L, cpu, cpu * jitPercent / 100);
    }

    private static Verdict judge(List<WarmupWindow> windows) {
        long ops = windows.stream().mapToLong(WarmupWindow::ops).sum();
        return StabilityRule.judge(C, windows, ops, windows.size() * 1_000L);
    }

    @Test
    void threeWindowsThatAgreeInRateAndCpuWithQuietCompilersAreStable() {
        Verdict v = judge(List.of(w(5_000, 200, 60), w(9_000, 110, 20), w(12_000, 95, 5),
                w(12_600, 92, 3), w(12_200, 94, 4)));
        assertEquals(Ending.STABLE, v.ending(), v.detail());
        assertEquals("12,000-12,600 ops/s, 92-95 us CPU/op, JIT <= 5%", v.detail());
    }

    @Test
    void aClimbingRateIsNotStable() {
        Verdict v = judge(List.of(w(8_000, 100, 1), w(10_000, 100, 1), w(12_000, 100, 1)));
        assertEquals(Ending.CONTINUE, v.ending());
        assertEquals("ops/s differ by 20% > 10%", v.detail());
    }

    @Test
    void aRatePlateauWhileTheCpuPerOpStillFallsIsNotStable() {
        // The rate is flat because the machine is saturated, but the JVMs are still compiling:
        // each operation costs less CPU from window to window.
        Verdict v = judge(List.of(w(10_000, 150, 5), w(10_100, 120, 5), w(10_050, 100, 5)));
        assertEquals(Ending.CONTINUE, v.ending());
        assertEquals("CPU/op differs by 22% > 10%", v.detail());
    }

    @Test
    void busyCompilersAreNotStableEvenWhenRateAndCpuAgree() {
        Verdict v = judge(List.of(w(10_000, 100, 30), w(10_000, 100, 25), w(10_000, 100, 12)));
        assertEquals(Ending.CONTINUE, v.ending());
        assertEquals("JIT compilers 30% of CPU > 10%", v.detail());
    }

    @Test
    void neverBeforeTheMinimumOpsNorWithFewerWindowsThanAsked() {
        WarmupWindow small = new WarmupWindow(1_000, 100_000_000L, 0, 0);
        assertEquals(new Verdict(Ending.CONTINUE, "fewer than 10,000 ops"),
                judge(List.of(small, small, small)));
        assertEquals(new Verdict(Ending.CONTINUE, "2 of 3 windows"),
                judge(List.of(w(10_000, 100, 0), w(10_000, 100, 0))));
    }

    @Test
    void withoutCpuMeasuredTheRateAloneDecides() {
        WarmupWindow a = new WarmupWindow(10_000, 1_000_000_000L, 0, 0);
        WarmupWindow b = new WarmupWindow(10_500, 1_000_000_000L, 0, 0);
        assertEquals(Ending.STABLE, judge(List.of(a, b, a)).ending());
    }

    @Test
    void theCapsEndAnUnstableWarmUpAndSayWhy() {
        List<WarmupWindow> climbing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            climbing.add(w(2_000 + 4_000 * i, 100, 1));
        }
        Verdict ops = StabilityRule.judge(C, climbing, 100_000, 10_000);
        assertEquals(Ending.OPS_CAP, ops.ending());
        assertEquals("ops/s differ by 12% > 10%", ops.detail());
        assertEquals(Ending.TIME_CAP, StabilityRule.judge(C, climbing, 90_000, 60_000).ending());
        assertEquals(Ending.CONTINUE, StabilityRule.judge(C, climbing, 90_000, 59_999).ending());
    }

    @Test
    void becomingStableInTheLastAllowedWindowCountsAsStable() {
        List<WarmupWindow> flat = List.of(w(10_000, 100, 0), w(10_000, 100, 0),
                w(10_000, 100, 0));
        assertEquals(Ending.STABLE, StabilityRule.judge(C, flat, 100_000, 60_000).ending());
    }
}
