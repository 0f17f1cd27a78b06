package org.gtstore.bench.report;

import java.util.List;
import java.util.Map;
import org.gtstore.bench.cost.MeasuredProcess;
import org.gtstore.bench.cost.ProcessKind;
import org.gtstore.bench.cost.ProcessMemory;
import org.gtstore.bench.cost.RunCost;
import org.gtstore.bench.cost.ServerCounts;
import org.gtstore.bench.latency.LatencySummary;
import org.gtstore.bench.loadbalance.CountSource;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.throughput.StabilityRule;
import org.gtstore.bench.throughput.ThroughputResult;
import org.gtstore.bench.throughput.WarmupResult;

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
                2_000_000_000L, opsPerSec, get, put, samples, WARMUP, cost()));
    }

    static final WarmupResult WARMUP = new WarmupResult(StabilityRule.Ending.STABLE, 412_000,
            31_200, 31, "", "13,050-13,610 ops/s, 88-92 us CPU/op, JIT <= 4%");

    /**
     * 95.12 us/op split 20.5 / 70.25 / 4.37; 1.3 msgs per flush, 1.1 updates per msg, 2.1
     * replies per msg; a cluster of two data servers (300 and 290 MiB, peaks 310 and 305) and a
     * metadata member (230, peak 240): 820 MiB, peaks 855; the client 200 (peak 210).
     */
    static RunCost cost() {
        return new RunCost(200_000, 95.123, Map.of(ProcessKind.CLIENT, 20.5,
                ProcessKind.DATA_SERVER, 70.25, ProcessKind.METADATA, 4.373), 5.25,
                new ServerCounts(130, 100, 100, 110, 50, 105),
                List.of(memory(ProcessKind.CLIENT, "client", 1, 200, 210),
                        memory(ProcessKind.DATA_SERVER, "server1", 2, 300, 310),
                        memory(ProcessKind.DATA_SERVER, "server2", 3, 290, 305),
                        memory(ProcessKind.METADATA, "meta1", 4, 230, 240)),
                List.of());
    }

    private static ProcessMemory memory(ProcessKind kind, String id, long pid, long rssMiB,
            long peakMiB) {
        return new ProcessMemory(new MeasuredProcess(kind, id, pid), rssMiB * 1024,
                peakMiB * 1024);
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
