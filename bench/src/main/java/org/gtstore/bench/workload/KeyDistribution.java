package org.gtstore.bench.workload;

/** How a workload picks the key of each operation from its key space. */
public enum KeyDistribution {
    /** Every key equally likely: the assignment's workload, and redis-benchmark's {@code -r}. */
    UNIFORM,
    /**
     * Key of rank r (1-based) chosen with probability proportional to {@code 1 / r^s}, as YCSB's
     * skewed workloads; the hot keys are spread over the partitions because keys are hashed.
     */
    ZIPF
}
