package org.gtstore.bench.report;

import java.util.List;
import java.util.Map;
import org.gtstore.bench.latency.LatencySummary;
import org.gtstore.bench.loadbalance.CountSource;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.throughput.ThroughputResult;

/** Results with known numbers for the writer and renderer tests. */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static ThroughputRow row(int rep, double opsPerSec, long errors) {
        LatencySummary get = new LatencySummary(100_000, 50, 400 + rep, 900 + rep, 1_500 + rep,
                4_000 + rep, 9_000, 480.5);
        LatencySummary put = new LatencySummary(100_000, 80, 600 + rep, 1_200 + rep,
                2_500 + rep, 7_000 + rep, 12_000, 700.25);
        List<String> samples = errors == 0 ? List.of() : List.of("TimeoutException: slow");
        return new ThroughputRow(rep, new ThroughputResult(200_000, errors, 0,
                2_000_000_000L, opsPerSec, get, put, samples));
    }

    static List<ThroughputRow> threeRows() {
        return List.of(row(1, 103_245.678, 0), row(3, 45_100.0, 0), row(5, 27_003.25, 0));
    }

    /** 7 servers, 10 of them to check the order server9 < server10 as well. */
    static LoadBalanceResult loadBalance() {
        Map<String, Long> counts = Map.of("server1", 1_000L, "server2", 1_100L,
                "server10", 900L, "server9", 1_000L);
        return new LoadBalanceResult(4_000, 0, CountSource.SERVER_STATS, counts, 1.1, 0.9, 12,
                counts, counts, Map.of(), List.of());
    }
}
