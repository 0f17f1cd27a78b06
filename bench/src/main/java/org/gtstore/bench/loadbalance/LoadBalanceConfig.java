package org.gtstore.bench.loadbalance;

import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.workload.WorkloadConfig;

/**
 * One load-balance run: {@code keyCount} distinct keys, each written once.
 *
 * @param seed fixes the keys and values (the same keys as a throughput run with this seed)
 * @param keyCount keys to insert; the default is 100,000
 * @param valueBytes the length of every value
 * @param driver the window, progress interval and stall timeout of the insert phase
 */
public record LoadBalanceConfig(long seed, int keyCount, int valueBytes, DriverSettings driver) {
    public static final int DEFAULT_KEY_COUNT = 100_000;

    public LoadBalanceConfig {
        if (keyCount <= 0) {
            throw new IllegalArgumentException("keyCount <= 0: " + keyCount);
        }
        if (valueBytes <= 0 || valueBytes > WorkloadConfig.VALUE_BYTES_MAX) {
            throw new IllegalArgumentException("valueBytes not in [1, "
                    + WorkloadConfig.VALUE_BYTES_MAX + "]: " + valueBytes);
        }
        if (driver == null) {
            throw new NullPointerException("driver == null");
        }
    }

    public static LoadBalanceConfig defaults() {
        return new LoadBalanceConfig(WorkloadConfig.DEFAULT_SEED, DEFAULT_KEY_COUNT,
                WorkloadConfig.DEFAULT_VALUE_BYTES, DriverSettings.DEFAULTS);
    }
}
