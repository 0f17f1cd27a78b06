package org.gtstore.bench.ycsb;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one YCSB run reported: its workload and phase (load or run), the overall throughput and
 * run time, and per operation (READ, UPDATE, INSERT, SCAN, READ-MODIFY-WRITE, ...) its count,
 * latencies and failures, read from YCSB's own text report.
 */
public record YcsbPhase(String workload, String phase, double opsPerSec, long runtimeMs,
        Map<String, OpStats> ops, String report) {

    /** One operation's line of the report; latencies in microseconds. */
    public record OpStats(long operations, double averageUs, double p95Us, double p99Us,
            long failed) {
    }

    /**
     * Parses YCSB's text report ({@code [OP], Metric, value} lines). Failed operations are the
     * returns other than OK and NOT_FOUND
     * (a read of a key not inserted yet, as workload D can ask for).
     */
    public static YcsbPhase parse(String workload, String phase, String report) {
        double throughput = 0;
        long runtime = 0;
        Map<String, double[]> raw = new TreeMap<>();
        for (String line : report.split("\n")) {
            String[] parts = line.split(",\\s*");
            if (parts.length != 3 || !parts[0].startsWith("[") || !parts[0].endsWith("]")) {
                continue;
            }
            String op = parts[0].substring(1, parts[0].length() - 1);
            double v;
            try {
                v = Double.parseDouble(parts[2].trim());
            } catch (NumberFormatException e) {
                continue;
            }
            String metric = parts[1].trim();
            if (op.equals("OVERALL")) {
                throughput = metric.equals("Throughput(ops/sec)") ? v : throughput;
                runtime = metric.equals("RunTime(ms)") ? (long) v : runtime;
                continue;
            }
            if (op.startsWith("CLEANUP") || op.equals("TOTAL_GCS") || op.startsWith("TOTAL_GC")) {
                continue;
            }
            String base = op.endsWith("-FAILED") ? op.substring(0, op.length() - 7) : op;
            double[] s = raw.computeIfAbsent(base, k -> new double[5]);
            if (op.endsWith("-FAILED")) {
                continue;   // The latencies of failed ones; they are counted by their returns.
            } else if (metric.equals("Operations")) {
                s[0] = v;
            } else if (metric.equals("AverageLatency(us)")) {
                s[1] = v;
            } else if (metric.equals("95thPercentileLatency(us)")) {
                s[2] = v;
            } else if (metric.equals("99thPercentileLatency(us)")) {
                s[3] = v;
            } else if (metric.startsWith("Return=") && !metric.equals("Return=OK")
                    && !metric.equals("Return=NOT_FOUND")) {
                s[4] += v;
            }
        }
        Map<String, OpStats> ops = new TreeMap<>();
        raw.forEach((op, s) -> {
            if (s[0] > 0 || s[4] > 0) {
                ops.put(op, new OpStats((long) s[0], s[1], s[2], s[3], (long) s[4]));
            }
        });
        return new YcsbPhase(workload, phase, throughput, runtime, ops, report);
    }

    /** Operations that failed, over every operation. */
    public long failed() {
        return ops.values().stream().mapToLong(OpStats::failed).sum();
    }
}
