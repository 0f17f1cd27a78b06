package org.gtstore.gtctl;

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
import org.gtstore.bench.workload.KeyDistribution;
import org.gtstore.bench.workload.WorkloadConfig;
import org.gtstore.client.GtStoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl bench throughput}: ops/s and GET/PUT latency percentiles for K = 1, 3 and 5, each
 * on a fresh cluster of 7 data servers (or on the running cluster with {@code --use-running}),
 * written as CSV, JSON and a PNG chart under {@code --out}. The measuring is
 * {@link ThroughputSuite}'s; this class is options and output.
 *
 * <p>The result files are rewritten after every K, so a run that fails at K=5 still leaves the
 * numbers of K=1 and K=3.
 */
@Command(name = "throughput", description = "Measure ops/s and GET and PUT latency"
        + " percentiles for each replication factor K, each on a fresh cluster unless"
        + " --use-running; write CSV, JSON and a PNG chart.")
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
            description = "Share of GETs in percent; the rest are PUTs"
                    + " (default: ${DEFAULT-VALUE}).")
    private int getPercent;

    @Option(names = "--distribution", paramLabel = "D", defaultValue = "uniform",
            description = "Key choice: uniform or zipf (default: ${DEFAULT-VALUE}).")
    private KeyDistribution distribution;

    @Option(names = "--reps", paramLabel = "K", split = ",", defaultValue = "1,3,5",
            description = "Replication factors, one fresh cluster each"
                    + " (default: ${DEFAULT-VALUE}).")
    private List<Integer> reps;

    @Option(names = "--no-preload", description = "Do not write every key before measuring.")
    private boolean noPreload;

    @Option(names = "--warmup-ops", paramLabel = "N",
            description = "Mixed operations run after the preload and before measuring, not"
                    + " counted, so every JVM's JIT is warm (default: ${DEFAULT-VALUE}).")
    private int warmupOps = ThroughputConfig.DEFAULT_WARMUP_OPS;

    private final Connector connector;

    BenchThroughputCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws Exception {
        ThroughputConfig config = config();
        common.timeout(); // A bad --timeout-ms is a usage error before anything starts.
        List<String> running = bench.useRunning ? common.metadataAddresses() : List.of();
        Path dir = bench.createResultsDir();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = bench.progress(err);
        String subtitle = String.format(Locale.US, "%,d ops, %d%% GET, %,d keys, %d in flight, %s",
                ops, getPercent, keys, bench.inFlight, bench.clusterDescription());
        List<ThroughputRow> rows = new ArrayList<>();
        List<Path> files = List.of();
        for (int rep : bench.useRunning ? List.of(0) : reps) {
            rows.addAll(ThroughputSuite.run(List.of(rep), config,
                    k -> bench.cluster(k, running, connector, err),
                    addresses -> GtStoreClient.builder().metadataAddresses(addresses)
                            .deadline(common.timeout()).build(), progress));
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
        bench.validate(reps, "--reps");
        if (reps.stream().distinct().count() != reps.size()) {
            throw BenchOptions.usage("--reps lists a K twice: " + reps);
        }
        WorkloadConfig workload = WorkloadConfig.builder().seed(bench.seed).opCount(ops)
                .getPercent(getPercent).keyCount(keys).valueBytes(bench.valueBytes)
                .distribution(distribution).build();
        BenchOptions.requireAtLeast("--warmup-ops", warmupOps, 0);
        return new ThroughputConfig(workload, bench.driver(), !noPreload, warmupOps);
    }
}
