package org.gtstore.bench.cost;

import java.util.Map;

/**
 * The CPU time of every measured process at one moment, in clock ticks, and optionally that of
 * their JIT compiler threads. Two samples give the CPU spent in between.
 *
 * @param timeNs {@link System#nanoTime} when the sample was taken
 * @param ticks utime + stime of each process still running
 * @param compilerTicks each process's compiler threads' ticks by thread id; empty if not read
 */
public record CpuSample(long timeNs, Map<MeasuredProcess, Long> ticks,
        Map<MeasuredProcess, Map<Long, Long>> compilerTicks) {
    public CpuSample {
        ticks = Map.copyOf(ticks);
        compilerTicks = Map.copyOf(compilerTicks);
    }

    /** This sample of one process alone. */
    public CpuSample only(MeasuredProcess p) {
        Map<MeasuredProcess, Long> t = ticks.containsKey(p) ? Map.of(p, ticks.get(p)) : Map.of();
        Map<MeasuredProcess, Map<Long, Long>> c = compilerTicks.containsKey(p)
                ? Map.of(p, compilerTicks.get(p)) : Map.of();
        return new CpuSample(timeNs, t, c);
    }

    /** Ticks spent since {@code before} by the processes in both samples. */
    public long ticksSince(CpuSample before) {
        return ticksSince(before, null);
    }

    /** As {@link #ticksSince(CpuSample)}, only processes of {@code kind} (null: all). */
    public long ticksSince(CpuSample before, ProcessKind kind) {
        long sum = 0;
        for (Map.Entry<MeasuredProcess, Long> e : ticks.entrySet()) {
            Long was = before.ticks.get(e.getKey());
            if (was != null && (kind == null || e.getKey().kind() == kind)) {
                sum += e.getValue() - was;
            }
        }
        return sum;
    }

    /**
     * Ticks the compiler threads spent since {@code before}, over the processes in both
     * samples: a thread that is new since then counts whole, one that has ended is lost.
     */
    public long compilerTicksSince(CpuSample before) {
        long sum = 0;
        for (Map.Entry<MeasuredProcess, Map<Long, Long>> e : compilerTicks.entrySet()) {
            Map<Long, Long> was = before.compilerTicks.get(e.getKey());
            if (was == null || !before.ticks.containsKey(e.getKey())) {
                continue;
            }
            for (Map.Entry<Long, Long> thread : e.getValue().entrySet()) {
                sum += Math.max(0, thread.getValue() - was.getOrDefault(thread.getKey(), 0L));
            }
        }
        return sum;
    }
}
