package org.gtstore.bench.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gtstore.bench.cost.ProcessKind;
import org.gtstore.bench.cost.RunCost;
import org.gtstore.bench.latency.LatencySummary;
import org.gtstore.bench.loadbalance.BalanceStats;
import org.gtstore.bench.loadbalance.LoadBalanceResult;
import org.gtstore.bench.throughput.ThroughputResult;

/**
 * Writes benchmark results where other tools can read them: CSV, JSON and a PNG chart.
 *
 * <p>The JSON shapes are a contract, field order included:
 * <pre>
 * throughput.json   [{"rep":K,"ops":N,"opsPerSec":X,"errors":E,"getP50Us":..,"getP99Us":..,
 *                     "putP50Us":..,"putP99Us":..,"getP90Us":..,"getP999Us":..,"putP90Us":..,
 *                     "putP999Us":..,"cpuUsPerOp":..,"msgsPerFlush":..,"clusterRssMiB":..,
 *                     "clientCpuUsPerOp":..,"dataServerCpuUsPerOp":..,
 *                     "metadataCpuUsPerOp":..,"compilerCpuPercent":..,"updatesPerMsg":..,
 *                     "repliesPerMsg":..,"clusterPeakRssMiB":..,"clientRssMiB":..,
 *                     "warmup":"stable"|"hit the ops cap"|"hit the time cap"|"none",
 *                     "warmupOps":..}, ...]
 * loadbalance.json  {"keys":N,"keysPerServer":{"server1":n1,...},"maxOverMean":X,"minOverMean":Y}
 * </pre>
 * The CSV files carry the same numbers and more (means, maxima, the three load-balance counts).
 * The cost fields cover the measured phase only: {@code cpuUsPerOp} is microseconds of CPU
 * (user + system) of every cluster process and the client per measured operation, split by
 * kind; {@code msgsPerFlush} is chain messages per driver pass that sent any, over all data
 * servers; {@code clusterRssMiB} is the metadata and data servers' resident memory summed at
 * the end of the phase ({@code clusterPeakRssMiB} sums each one's peak).
 */
public final class ResultWriter {
    public static final String THROUGHPUT_JSON = "throughput.json";
    public static final String THROUGHPUT_CSV = "throughput.csv";
    public static final String THROUGHPUT_PNG = "throughput.png";
    public static final String LOADBALANCE_JSON = "loadbalance.json";
    public static final String LOADBALANCE_CSV = "loadbalance.csv";
    public static final String LOADBALANCE_PNG = "loadbalance.png";

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultWriter() {
    }

    /** The default results directory, {@code base/<yyyyMMdd-HHmmss>}. */
    public static Path timestampedDir(Path base, ZonedDateTime now) {
        return base.resolve(TIMESTAMP.format(now));
    }

    /** Writes throughput.json, .csv and .png under {@code dir} (created if needed). */
    public static List<Path> writeThroughput(Path dir, List<ThroughputRow> rows, String subtitle)
            throws IOException {
        Files.createDirectories(dir);
        Path json = write(dir.resolve(THROUGHPUT_JSON), throughputJson(rows));
        Path csv = write(dir.resolve(THROUGHPUT_CSV), throughputCsv(rows));
        Path png = dir.resolve(THROUGHPUT_PNG);
        Charts.writePng(Charts.throughput(rows, subtitle), png);
        return List.of(json, csv, png);
    }

    /** Writes loadbalance.json, .csv and .png under {@code dir} (created if needed). */
    public static List<Path> writeLoadBalance(Path dir, LoadBalanceResult result)
            throws IOException {
        Files.createDirectories(dir);
        Path json = write(dir.resolve(LOADBALANCE_JSON), loadBalanceJson(result));
        Path csv = write(dir.resolve(LOADBALANCE_CSV), loadBalanceCsv(result));
        Path png = dir.resolve(LOADBALANCE_PNG);
        Charts.writePng(Charts.loadBalance(result), png);
        return List.of(json, csv, png);
    }

    /** The throughput.json text. */
    public static String throughputJson(List<ThroughputRow> rows) {
        return toJson(rows.stream().map(ThroughputJson::of).toList());
    }

    /** The loadbalance.json text. */
    public static String loadBalanceJson(LoadBalanceResult result) {
        return toJson(new LoadBalanceJson(result.keys(), result.keysPerServer(),
                round(result.maxOverMean(), 4), round(result.minOverMean(), 4)));
    }

    /** One line per K; latencies in microseconds. */
    public static String throughputCsv(List<ThroughputRow> rows) {
        StringBuilder out = new StringBuilder("rep,ops,ops_per_sec,errors,get_misses,wall_time_ms,"
                + latencyHeader("get") + "," + latencyHeader("put") + "," + COST_HEADER + ","
                + latencyHeader("cas") + ",cas_conflicts\n");
        for (ThroughputRow row : rows) {
            ThroughputResult r = row.result();
            out.append(String.format(Locale.ROOT, "%d,%d,%.1f,%d,%d,%.3f,%s,%s,%s,%s,%d%n",
                    row.rep(), r.ops(), r.opsPerSec(), r.errors(), r.getMisses(),
                    r.wallTimeNs() / 1e6, latencyColumns(r.get()), latencyColumns(r.put()),
                    costColumns(r), latencyColumns(r.cas()), r.casConflicts()));
        }
        return out.toString();
    }

    /** One line per server: the reported count, its ratio to the mean, and each count taken. */
    public static String loadBalanceCsv(LoadBalanceResult result) {
        StringBuilder out = new StringBuilder(
                "server,keys,over_mean,server_stats,map_routing,put_replies\n");
        double mean = BalanceStats.of(result.keysPerServer()).mean();
        for (Map.Entry<String, Long> e : result.keysPerServer().entrySet()) {
            String id = e.getKey();
            out.append(String.format(Locale.ROOT, "%s,%d,%.4f,%s,%s,%s%n", id, e.getValue(),
                    mean == 0 ? 0.0 : e.getValue() / mean, cell(result.byServerStats(), id),
                    cell(result.byMap(), id), cell(result.byPutReplies(), id)));
        }
        return out.toString();
    }

    private static String latencyHeader(String op) {
        return String.join(",", op + "_p50_us", op + "_p90_us", op + "_p99_us", op + "_p999_us",
                op + "_max_us", op + "_mean_us");
    }

    private static final String COST_HEADER = String.join(",", "cpu_us_per_op",
            "client_cpu_us_per_op", "data_server_cpu_us_per_op", "metadata_cpu_us_per_op",
            "compiler_cpu_percent", "msgs_per_flush", "updates_per_msg", "replies_per_msg",
            "cluster_rss_mib", "cluster_peak_rss_mib", "client_rss_mib", "warmup",
            "warmup_ops");

    private static String costColumns(ThroughputResult r) {
        RunCost c = r.cost();
        return String.format(Locale.ROOT, "%.2f,%.2f,%.2f,%.2f,%.1f,%.3f,%.3f,%.3f,%.1f,%.1f,"
                + "%.1f,%s,%d", c.cpuUsPerOp(), c.cpuUsPerOp(ProcessKind.CLIENT),
                c.cpuUsPerOp(ProcessKind.DATA_SERVER), c.cpuUsPerOp(ProcessKind.METADATA),
                c.compilerCpuPercent(), c.msgsPerFlush(), c.updatesPerMsg(),
                c.sent().repliesPerMessage(), c.clusterRssMiB(), c.clusterPeakRssMiB(),
                c.clientRssMiB(), r.warmup().ending().label(), r.warmup().ops());
    }

    private static String latencyColumns(LatencySummary s) {
        return String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%.1f",
                s.p50Us(), s.p90Us(), s.p99Us(), s.p999Us(), s.maxUs(), s.meanUs());
    }

    private static String cell(Map<String, Long> counts, String id) {
        Long n = counts.get(id);
        return n == null ? "" : Long.toString(n);
    }

    private static double round(double x, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(x * scale) / scale;
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            // Our own records always serialise; failing here is a bug in this class.
            throw new IllegalStateException("cannot serialise " + value, e);
        }
    }

    private static Path write(Path path, String text) throws IOException {
        Files.writeString(path, text, StandardCharsets.UTF_8);
        return path;
    }

    @JsonPropertyOrder({"rep", "ops", "opsPerSec", "errors", "getP50Us", "getP99Us", "putP50Us",
            "putP99Us", "getP90Us", "getP999Us", "putP90Us", "putP999Us", "cpuUsPerOp",
            "msgsPerFlush", "clusterRssMiB", "clientCpuUsPerOp", "dataServerCpuUsPerOp",
            "metadataCpuUsPerOp", "compilerCpuPercent", "updatesPerMsg", "repliesPerMsg",
            "clusterPeakRssMiB", "clientRssMiB", "warmup", "warmupOps", "casP50Us", "casP99Us",
            "casConflicts"})
    record ThroughputJson(int rep, int ops, double opsPerSec, long errors,
            long getP50Us, long getP99Us, long putP50Us, long putP99Us,
            long getP90Us, long getP999Us, long putP90Us, long putP999Us,
            double cpuUsPerOp, double msgsPerFlush, double clusterRssMiB,
            double clientCpuUsPerOp, double dataServerCpuUsPerOp, double metadataCpuUsPerOp,
            double compilerCpuPercent, double updatesPerMsg, double repliesPerMsg,
            double clusterPeakRssMiB, double clientRssMiB, String warmup, long warmupOps,
            long casP50Us, long casP99Us, long casConflicts) {

        static ThroughputJson of(ThroughputRow row) {
            ThroughputResult r = row.result();
            RunCost c = r.cost();
            return new ThroughputJson(row.rep(), r.ops(), round(r.opsPerSec(), 1), r.errors(),
                    r.get().p50Us(), r.get().p99Us(), r.put().p50Us(), r.put().p99Us(),
                    r.get().p90Us(), r.get().p999Us(), r.put().p90Us(), r.put().p999Us(),
                    round(c.cpuUsPerOp(), 2), round(c.msgsPerFlush(), 3),
                    round(c.clusterRssMiB(), 1), round(c.cpuUsPerOp(ProcessKind.CLIENT), 2),
                    round(c.cpuUsPerOp(ProcessKind.DATA_SERVER), 2),
                    round(c.cpuUsPerOp(ProcessKind.METADATA), 2),
                    round(c.compilerCpuPercent(), 1), round(c.updatesPerMsg(), 3),
                    round(c.sent().repliesPerMessage(), 3), round(c.clusterPeakRssMiB(), 1),
                    round(c.clientRssMiB(), 1), r.warmup().ending().label(), r.warmup().ops(),
                    r.cas().p50Us(), r.cas().p99Us(), r.casConflicts());
        }
    }

    @JsonPropertyOrder({"keys", "keysPerServer", "maxOverMean", "minOverMean"})
    record LoadBalanceJson(int keys, Map<String, Long> keysPerServer, double maxOverMean,
            double minOverMean) {
    }
}
