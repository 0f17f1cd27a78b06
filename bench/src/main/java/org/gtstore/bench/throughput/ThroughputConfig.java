package org.gtstore.bench.throughput;

import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.workload.WorkloadConfig;

/**
 * One throughput run: the workload, how it is driven, and whether the keys are preloaded.
 *
 * @param workload the operations and keys
 * @param driver the window (operations in flight), progress interval and stall timeout
 * @param preload write every key once before the measured phase, so GETs find a value; the
 *     preload also warms the JIT of every process. It is never part of the result.
 */
public record ThroughputConfig(WorkloadConfig workload, DriverSettings driver, boolean preload) {
    public ThroughputConfig {
        if (workload == null) {
            throw new NullPointerException("workload == null");
        }
        if (driver == null) {
            throw new NullPointerException("driver == null");
        }
    }

    /** The issue #5 defaults: 200,000 ops, 50% GET, 100,000 keys, 64 in flight, preloaded. */
    public static ThroughputConfig defaults() {
        return new ThroughputConfig(
                WorkloadConfig.builder().build(), DriverSettings.DEFAULTS, true);
    }
}
