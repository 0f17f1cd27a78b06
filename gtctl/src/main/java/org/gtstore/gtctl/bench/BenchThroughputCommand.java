package org.gtstore.gtctl.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.report.ResultWriter;
import org.gtstore.bench.report.SummaryTable;
import org.gtstore.bench.report.ThroughputRow;
import org.gtstore.bench.suite.ThroughputSuite;
import org.gtstore.bench.throughput.ThroughputConfig;
import org.gtstore.bench.throughput.WarmupConfig;
import org.gtstore.bench.workload.KeyDistribution;
import org.gtstore.bench.workload.WorkloadConfig;
import org.gtstore.client.GtStoreClient;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.proto.TransportSecurity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl bench throughput}: ops/s, GET/PUT latency percentiles and the whole machine's CPU
 * per operation for K = 1, 3 and 5, each on a fresh cluster of 7 data servers (or on the running
 * cluster with {@code --use-running}) warmed up until its rate is stable, written as CSV, JSON
 * and a PNG chart under {@code --out}. The measuring is
 * {@link ThroughputSuite}'s; this class is options and output.
 *
 * <p>The result files are rewritten after every K, so a run that fails at K=5 still leaves the
 * numbers of K=1 and K=3.
 */
@Command(name = "throughput", description = "Measure ops/s, GET and PUT latency"
        + " percentiles and the whole machine's CPU per operation for each replication factor"
        + " K, each on a fresh cluster unless --use-running, after a warm-up until the rate is"
        + " stable; write CSV, JSON and a PNG chart.")
final class BenchThroughputCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Mixin
    private BenchOptions bench;

    @Spec
    private CommandSpec spec;

    @Option(names = "--ops", paramLabel = "N", defaultValue = "200000",
            description = "Operations in the measured phase (default: ${DEFAULT-VALUE}).")
    private int ops;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "100000",
            description = "Distinct keys, preloaded before measuring (default: ${DEFAULT-VALUE}).")
    private int keys;

    @Option(names = "--get-percent", paramLabel = "P", defaultValue = "50",
            description = "Share of GETs in percent; the rest are PUTs and CAS updates"
                    + " (default: ${DEFAULT-VALUE}).")
    private int getPercent;

    @Option(names = "--cas-percent", paramLabel = "P", defaultValue = "0",
            description = {"Share of compare-and-set updates in percent, taken from the PUTs:"
                    + " each reads its key, then puts it only if its version is unchanged"
                    + " (a conflict is counted, not an error) (default: ${DEFAULT-VALUE})."})
    private int casPercent;

    @Option(names = "--distribution", paramLabel = "D", defaultValue = "uniform",
            description = "Key choice: uniform or zipf (default: ${DEFAULT-VALUE}).")
    private KeyDistribution distribution;

    @Option(names = "--reps", paramLabel = "K", split = ",", defaultValue = "1,3,5",
            description = "Replication factors, one fresh cluster each"
                    + " (default: ${DEFAULT-VALUE}).")
    private List<Integer> reps;

    @Option(names = "--no-preload", description = "Do not write every key before measuring.")
    private boolean noPreload;

    @Option(names = "--warmup-min-ops", paramLabel = "N",
            description = "The warm-up (mixed operations after the preload, not counted) runs"
                    + " at least this many before it may end as stable"
                    + " (default: ${DEFAULT-VALUE}).")
    private long warmupMinOps = WarmupConfig.DEFAULT_MIN_OPS;

    @Option(names = "--warmup-max-ops", paramLabel = "N",
            description = "The warm-up ends after this many operations even if not stable;"
                    + " 0 for no warm-up (default: ${DEFAULT-VALUE}).")
    private long warmupMaxOps = WarmupConfig.DEFAULT_MAX_OPS;

    @Option(names = "--warmup-max-ms", paramLabel = "MS",
            description = "The warm-up ends after this long even if not stable"
                    + " (default: ${DEFAULT-VALUE}).")
    private long warmupMaxMs = WarmupConfig.DEFAULT_MAX_MS;

    @Option(names = "--warmup-window-ms", paramLabel = "MS",
            description = "Length of a warm-up window (default: ${DEFAULT-VALUE}).")
    private long warmupWindowMs = WarmupConfig.DEFAULT_WINDOW_MS;

    @Option(names = "--warmup-tolerance-percent", paramLabel = "P",
            description = "Stable: the last " + WarmupConfig.DEFAULT_STABLE_WINDOWS + " windows'"
                    + " ops/s and whole-machine CPU per operation each within P%% of their mean"
                    + " (default: ${DEFAULT-VALUE}).")
    private double warmupTolerancePercent = WarmupConfig.DEFAULT_TOLERANCE_PERCENT;

    @Option(names = "--warmup-jit-percent-max", paramLabel = "P",
            description = "Stable also needs the JVMs' JIT compiler threads at most P%% of that"
                    + " CPU in each of those windows; 100 ignores them"
                    + " (default: ${DEFAULT-VALUE}).")
    private double warmupJitPercentMax = WarmupConfig.DEFAULT_COMPILER_PERCENT_MAX;

    private final Connector connector;

    BenchThroughputCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws Exception {
        ThroughputConfig config = config();
        common.timeout(); // A bad --timeout-ms is a usage error before anything starts.
        List<String> running = bench.useRunning ? common.metadataAddresses() : List.of();
        // A running cluster is reached as gtctl reaches it; a fresh one is plaintext.
        TransportSecurity security = bench.useRunning ? common.security()
                : TransportSecurity.plaintext();
        Path dir = bench.createResultsDir();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = bench.progress(err);
        String subtitle = String.format(Locale.US, "%,d ops, %d%% GET%s, %,d keys, %d in flight,"
                + " %s", ops, getPercent, casPercent == 0 ? "" : ", " + casPercent + "% CAS", keys,
                bench.inFlight, bench.clusterDescription());
        List<ThroughputRow> rows = new ArrayList<>();
        List<Path> files = List.of();
        for (int rep : bench.useRunning ? List.of(0) : reps) {
            rows.addAll(ThroughputSuite.run(List.of(rep), config,
                    k -> bench.cluster(k, running, connector, err),
                    addresses -> GtStoreClient.builder().metadataAddresses(addresses)
                            .security(security).deadline(common.timeout()).build(),
                    progress));
            files = ResultWriter.writeThroughput(dir, rows, subtitle);
        }
        stdout.print(SummaryTable.throughput(rows));
        for (Path file : files) {
            stdout.println("wrote " + file);
        }
        stdout.flush();
        long errors = rows.stream().mapToLong(r -> r.result().errors()).sum();
        if (errors > 0) {
            err.println("error: " + errors + " operations failed (see the table above)");
            err.flush();
            return Gtctl.EXIT_FAILURE;
        }
        return Gtctl.EXIT_OK;
    }

    private ThroughputConfig config() {
        BenchOptions.requireAtLeast("--ops", ops, 1);
        BenchOptions.requireAtLeast("--keys", keys, 1);
        if (getPercent < 0 || getPercent > 100) {
            throw BenchOptions.usage("--get-percent must be between 0 and 100, got "
                    + getPercent);
        }
        if (casPercent < 0 || getPercent + casPercent > 100) {
            throw BenchOptions.usage("--cas-percent must be between 0 and " + (100 - getPercent)
                    + " (GETs and CAS updates together at most 100 percent), got "
                    + casPercent);
        }
        bench.validate(reps, "--reps");
        if (reps.stream().distinct().count() != reps.size()) {
            throw BenchOptions.usage("--reps lists a K twice: " + reps);
        }
        WorkloadConfig workload = WorkloadConfig.builder().seed(bench.seed).opCount(ops)
                .getPercent(getPercent).keyCount(keys).valueBytes(bench.valueBytes)
                .distribution(distribution).casPercent(casPercent).build();
        return new ThroughputConfig(workload, bench.driver(), !noPreload, warmup());
    }

    private WarmupConfig warmup() {
        BenchOptions.requireAtLeast("--warmup-max-ops", warmupMaxOps, 0);
        if (warmupMaxOps == 0) {
            return WarmupConfig.NONE;
        }
        BenchOptions.requireAtLeast("--warmup-min-ops", warmupMinOps, 0);
        if (warmupMinOps > warmupMaxOps) {
            throw BenchOptions.usage("--warmup-min-ops (" + warmupMinOps + ") is more than"
                    + " --warmup-max-ops (" + warmupMaxOps + ")");
        }
        BenchOptions.requireAtLeast("--warmup-max-ms", warmupMaxMs, 1);
        BenchOptions.requireAtLeast("--warmup-window-ms", warmupWindowMs, 1);
        if (!(warmupTolerancePercent > 0)) {
            throw BenchOptions.usage("--warmup-tolerance-percent must be more than 0, got "
                    + warmupTolerancePercent);
        }
        if (!(warmupJitPercentMax > 0 && warmupJitPercentMax <= 100)) {
            throw BenchOptions.usage("--warmup-jit-percent-max must be more than 0 and at most"
                    + " 100, got " + warmupJitPercentMax);
        }
        return new WarmupConfig(warmupMinOps, warmupMaxOps, warmupMaxMs, warmupWindowMs,
                warmupTolerancePercent, WarmupConfig.DEFAULT_STABLE_WINDOWS, warmupJitPercentMax);
    }
}
