package org.gtstore.bench.loadbalance;

import java.util.Map;

/**
 * How evenly keys spread over servers: max/mean and min/mean of the keys per server. A perfect
 * spread gives 1.0 for both; the target is max/mean at most 1.05.
 */
public record BalanceStats(long total, int servers, double mean, long max, long min,
        double maxOverMean, double minOverMean) {

    /** The stats of a per-server count; an empty map or zero total gives zeros. */
    public static BalanceStats of(Map<String, Long> keysPerServer) {
        int servers = keysPerServer.size();
        long total = 0;
        long max = 0;
        long min = servers == 0 ? 0 : Long.MAX_VALUE;
        for (long n : keysPerServer.values()) {
            total += n;
            max = Math.max(max, n);
            min = Math.min(min, n);
        }
        double mean = servers == 0 ? 0.0 : (double) total / servers;
        return new BalanceStats(total, servers, mean, max, min,
                mean == 0 ? 0.0 : max / mean, mean == 0 ? 0.0 : min / mean);
    }
}
