package org.gtstore.bench.report;

import java.util.List;
import java.util.Locale;
import org.gtstore.bench.latency.LatencySummary;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.throughput.ThroughputResult;

/** The text summaries {@code gtctl bench} prints when a benchmark ends. */
public final class SummaryTable {
    /** Latency columns hold up to 9,999,999 us: the client gives up on an operation at 10 s. */
    private static final String ROW =
            "%3s %12s %7s %10s | %9s %9s %9s %9s | %9s %9s %9s %9s%n";

    private SummaryTable() {
    }

    /**
     * One line per K: ops/s, errors, CPU microseconds per operation (the whole machine), and GET
     * and PUT latency percentiles in microseconds; then per K how the warm-up ended, the CPU
     * split, the chain batching and the memory of each kind of process.
     *
     * <pre>
     *   K        ops/s  errors  CPU us/op |   GET p50       p90       p99     p99.9 |  ...
     *   1      103,245       0       19.6 |       512       830     1,420     3,100 |  ...
     * </pre>
     */
    public static String throughput(List<ThroughputRow> rows) {
        StringBuilder out = new StringBuilder(String.format(Locale.US, ROW, "K", "ops/s",
                "errors", "CPU us/op", "GET p50", "p90", "p99", "p99.9", "PUT p50", "p90",
                "p99", "p99.9"));
        for (ThroughputRow row : rows) {
            ThroughputResult r = row.result();
            LatencySummary g = r.get();
            LatencySummary p = r.put();
            out.append(String.format(Locale.US, ROW, row.rep(), n(Math.round(r.opsPerSec())),
                    n(r.errors()), String.format(Locale.US, "%.1f", r.cost().cpuUsPerOp()),
                    n(g.p50Us()), n(g.p90Us()), n(g.p99Us()), n(g.p999Us()),
                    n(p.p50Us()), n(p.p90Us()), n(p.p99Us()), n(p.p999Us())));
        }
        out.append("latencies in microseconds; CPU us/op: microseconds of CPU of every cluster"
                + " process and the client per measured operation");
        long misses = rows.stream().mapToLong(r -> r.result().getMisses()).sum();
        if (misses > 0) {
            out.append(String.format(Locale.US, "; %,d GETs found no value", misses));
        }
        out.append(System.lineSeparator());
        for (ThroughputRow row : rows) {
            LatencySummary c = row.result().cas();
            if (c.count() > 0) {
                out.append(String.format(Locale.US, "K=%d CAS (read, then put if unchanged):"
                        + " p50 %s, p90 %s, p99 %s, p99.9 %s us; %,d of %,d conflicted%n",
                        row.rep(), n(c.p50Us()), n(c.p90Us()), n(c.p99Us()), n(c.p999Us()),
                        row.result().casConflicts(), c.count()));
            }
        }
        for (ThroughputRow row : rows) {
            out.append(CostLines.of(row));
        }
        for (ThroughputRow row : rows) {
            for (String sample : row.result().errorSamples()) {
                out.append("K=").append(row.rep()).append(" error: ").append(sample)
                        .append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    /** The keys-per-server histogram, max/mean and min/mean, and any note on the counts. */
    public static String loadBalance(LoadBalanceResult result, int barWidth) {
        StringBuilder out = new StringBuilder(String.format(Locale.US,
                "keys per primary server (%,d keys, counted by %s, map epoch %d)%n", result.keys(),
                result.source().label(), result.mapEpoch()));
        out.append(TextHistogram.render(result.keysPerServer(), barWidth));
        out.append(String.format(Locale.US, "max/mean %.3f  min/mean %.3f  errors %,d%n",
                result.maxOverMean(), result.minOverMean(), result.errors()));
        for (String note : result.notes()) {
            out.append("note: ").append(note).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String n(long value) {
        return String.format(Locale.US, "%,d", value);
    }
}
