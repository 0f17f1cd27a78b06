package org.gtstore.bench.throughput;

import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.workload.WorkloadConfig;

/**
 * One throughput run: the workload, how it is driven, whether the keys are preloaded, and how
 * the warm-up ends.
 *
 * @param workload the operations and keys
 * @param driver the window (operations in flight), progress interval and stall timeout
 * @param preload write every key once before the measured phase, so GETs find a value. It is
 *     never part of the result.
 * @param warmup mixed operations (the workload's own GETs and PUTs, from its start) run after
 *     the preload and before the measured phase until the rate is stable, not counted: the
 *     preload writes only, and on a fresh cluster the JIT of every process is still compiling
 *     the GET path and the batching code when the preload ends
 */
public record ThroughputConfig(WorkloadConfig workload, DriverSettings driver, boolean preload,
        WarmupConfig warmup) {

    /** A run with no warm-up phase. */
    public ThroughputConfig(WorkloadConfig workload, DriverSettings driver, boolean preload) {
        this(workload, driver, preload, WarmupConfig.NONE);
    }

    public ThroughputConfig {
        if (workload == null) {
            throw new NullPointerException("workload == null");
        }
        if (driver == null) {
            throw new NullPointerException("driver == null");
        }
        if (warmup == null) {
            throw new NullPointerException("warmup == null");
        }
    }

    /**
     * The defaults users run: 200,000 ops, 50% GET, 100,000 keys, 64 in flight, preloaded, then
     * warmed up until stable ({@link WarmupConfig#DEFAULTS}).
     */
    public static ThroughputConfig defaults() {
        return new ThroughputConfig(WorkloadConfig.builder().build(), DriverSettings.DEFAULTS,
                true, WarmupConfig.DEFAULTS);
    }
}
