package org.gtstore.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import org.gtstore.bench.cost.ProcessKind;
import org.gtstore.bench.cost.ProcessMemory;
import org.gtstore.bench.cost.RunCost;
import org.gtstore.bench.throughput.ThroughputResult;

/**
 * The lines under the throughput table that say what one K cost, for example:
 *
 * <pre>
 * K=3 warm-up: stable after 412,000 ops in 31.2 s (13,050-13,610 ops/s, ...)
 * K=3 CPU us/op: 95.1 = client 20.3 + data servers 70.2 + metadata 4.6; JIT compilers 5%
 * K=3 chain: 1.30 msgs/flush, 1.10 updates/msg; client replies 2.10/msg
 * K=3 RSS MiB: cluster 2,345 (sum of peaks 2,400); data servers 7 x 290-301 (peak max 310);
 *     metadata 3 x 220-231 (peak max 240); client 180 (peak 200)
 * K=3 note: ...
 * </pre>
 */
final class CostLines {
    private CostLines() {
    }

    static String of(ThroughputRow row) {
        ThroughputResult r = row.result();
        RunCost c = r.cost();
        String k = "K=" + row.rep();
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append(k).append(" warm-up: ").append(r.warmup().describe()).append(nl);
        out.append(String.format(Locale.US, "%s CPU us/op: %.1f = client %.1f + data servers"
                + " %.1f + metadata %.1f; JIT compilers %.0f%% of it%n", k, c.cpuUsPerOp(),
                c.cpuUsPerOp(ProcessKind.CLIENT), c.cpuUsPerOp(ProcessKind.DATA_SERVER),
                c.cpuUsPerOp(ProcessKind.METADATA), c.compilerCpuPercent()));
        out.append(String.format(Locale.US, "%s chain: %.2f msgs/flush, %.2f updates/msg;"
                + " client replies %.2f/msg%n", k, c.msgsPerFlush(), c.updatesPerMsg(),
                c.sent().repliesPerMessage()));
        out.append(String.format(Locale.US, "%s RSS MiB: cluster %,.0f (sum of peaks %,.0f); %s;"
                + " %s; %s%n", k, c.clusterRssMiB(), c.clusterPeakRssMiB(),
                kind(c, ProcessKind.DATA_SERVER), kind(c, ProcessKind.METADATA),
                kind(c, ProcessKind.CLIENT)));
        for (String note : c.notes()) {
            out.append(k).append(" note: ").append(note).append(nl);
        }
        return out.toString();
    }

    /** E.g. "data servers 7 x 290-301 (peak max 310)", or "client 180 (peak 200)". */
    private static String kind(RunCost c, ProcessKind kind) {
        List<ProcessMemory> m = c.memoryOf(kind);
        if (m.isEmpty()) {
            return kind.label() + " not measured";
        }
        LongSummaryStatistics rss = m.stream().mapToLong(ProcessMemory::rssKiB)
                .summaryStatistics();
        long peakMax = m.stream().mapToLong(ProcessMemory::peakRssKiB).max().orElse(0);
        if (m.size() == 1) {
            return String.format(Locale.US, "%s %,d (peak %,d)", kind.label(), mib(rss.getMax()),
                    mib(peakMax));
        }
        return String.format(Locale.US, "%s %d x %,d-%,d (peak max %,d)", kind.label(),
                m.size(), mib(rss.getMin()), mib(rss.getMax()), mib(peakMax));
    }

    private static long mib(long kib) {
        return Math.round(kib / 1024.0);
    }
}
