package org.gtstore.bench.throughput;

/**
 * One window of the warm-up: the operations it ran, how long they took, and the CPU that all
 * measured processes spent meanwhile.
 *
 * @param ops operations completed in the window
 * @param elapsedNs from its first issue to its last completion
 * @param cpuUs CPU microseconds of every measured process; 0 if CPU is not measured
 * @param compilerUs of which the JIT compiler threads'
 */
public record WarmupWindow(long ops, long elapsedNs, double cpuUs, double compilerUs) {
    public WarmupWindow {
        if (ops <= 0) {
            throw new IllegalArgumentException("ops <= 0: " + ops);
        }
        if (elapsedNs <= 0) {
            throw new IllegalArgumentException("elapsedNs <= 0: " + elapsedNs);
        }
    }

    public double opsPerSec() {
        return ops * 1e9 / elapsedNs;
    }

    public double cpuUsPerOp() {
        return cpuUs / ops;
    }

    /** The compilers' share of the CPU, in percent; 0 if no CPU was measured. */
    public double compilerPercent() {
        return cpuUs <= 0 ? 0.0 : 100.0 * compilerUs / cpuUs;
    }
}
