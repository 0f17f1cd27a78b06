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
 * @param warmupOps mixed operations (the workload's own GETs and PUTs, from its start) run
 *     after the preload and before the measured phase, not counted: the preload writes only,
 *     and on a fresh cluster the JIT is still compiling the GET path and the batching code
 *     when the measured phase starts. 0 for none.
 */
public record ThroughputConfig(WorkloadConfig workload, DriverSettings driver, boolean preload,
        int warmupOps) {
    /**
     * The warm-up of {@link #defaults()} and of {@code gtctl bench throughput}: as many
     * operations as are measured. On a fresh 7-server cluster the running rate kept climbing for
     * about 300,000 operations after the start (each server sees a seventh of them, and ten JVMs
     * share two cores for their JIT compilers): with 20,000 the measured phase was mostly JIT
     * warm-up and reported a quarter of the steady rate (bench/README.md).
     */
    public static final int DEFAULT_WARMUP_OPS = 200_000;

    /** A run with no warm-up phase. */
    public ThroughputConfig(WorkloadConfig workload, DriverSettings driver, boolean preload) {
        this(workload, driver, preload, 0);
    }

    public ThroughputConfig {
        if (warmupOps < 0) {
            throw new IllegalArgumentException("warmupOps < 0: " + warmupOps);
        }
        if (workload == null) {
            throw new NullPointerException("workload == null");
        }
        if (driver == null) {
            throw new NullPointerException("driver == null");
        }
    }

    /**
     * The issue #5 defaults: 200,000 ops, 50% GET, 100,000 keys, 64 in flight, preloaded, then
     * 200,000 warm-up ops.
     */
    public static ThroughputConfig defaults() {
        return new ThroughputConfig(WorkloadConfig.builder().build(), DriverSettings.DEFAULTS,
                true, DEFAULT_WARMUP_OPS);
    }
}
