package org.gtstore.gtctl.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gtstore.bench.suite.BenchCluster;
import org.gtstore.bench.ycsb.YcsbBenchmark;
import org.gtstore.bench.ycsb.YcsbPhase;
import org.gtstore.bench.ycsb.YcsbResults;
import org.gtstore.bench.ycsb.YcsbWorkloads;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl bench ycsb --workload a|b|c|d|e|f|all}: YCSB's own client with the GTStore
 * binding ({@link YcsbBenchmark}), on a fresh cluster of 7 data servers with K = 3 (or the
 * running one with {@code --use-running}): per workload a load and a run phase, YCSB's report
 * of each printed, and the JSON, CSV and PNG of every phase under the results directory.
 */
@Command(name = "ycsb", description = "Run the YCSB core workloads (load, then run) with the"
        + " GTStore binding; print YCSB's reports and write JSON, CSV and a PNG chart.")
final class BenchYcsbCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Mixin
    private BenchOptions bench;

    @Spec
    private CommandSpec spec;

    @Option(names = "--workload", paramLabel = "W", split = ",", defaultValue = "all",
            description = "Workloads to run: a, b, c, d, e, f, comma-separated, or all"
                    + " (default: ${DEFAULT-VALUE}).")
    private List<String> workloads;

    @Option(names = "--records", paramLabel = "N", defaultValue = "20000",
            description = "Records each load inserts (default: ${DEFAULT-VALUE}).")
    private int records;

    @Option(names = "--operations", paramLabel = "N", defaultValue = "100000",
            description = "Operations of each run phase (default: ${DEFAULT-VALUE}).")
    private int operations;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "32",
            description = "YCSB client threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--rep", paramLabel = "K", defaultValue = "3",
            description = "Replication factor of the fresh cluster (default: ${DEFAULT-VALUE}).")
    private int rep;

    @Option(names = "--phase-timeout-s", paramLabel = "S", defaultValue = "900",
            description = "The longest one phase may take (default: ${DEFAULT-VALUE}).")
    private long phaseTimeoutSec;

    private final Connector connector;

    BenchYcsbCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() throws Exception {
        List<String> chosen = chosenWorkloads();
        BenchOptions.requireAtLeast("--records", records, 1);
        BenchOptions.requireAtLeast("--operations", operations, 1);
        BenchOptions.requireAtLeast("--threads", threads, 1);
        bench.validate(List.of(rep), "--rep");
        List<String> running = bench.useRunning ? common.metadataAddresses() : List.of();
        Path dir = bench.createResultsDir();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<YcsbPhase> phases;
        try (BenchCluster cluster = bench.cluster(rep, running, connector, err)) {
            phases = YcsbBenchmark.run(new YcsbBenchmark.Config(chosen, records, operations,
                    threads, cluster.metadataAddresses(), securityProperties(), dir,
                    phaseTimeoutSec), err);
        }
        for (YcsbPhase p : phases) {
            stdout.printf("== YCSB workload %s, %s phase ==%n%s%n",
                    p.workload().toUpperCase(Locale.ROOT), p.phase(), p.report().strip());
        }
        for (Path file : YcsbResults.write(dir, phases, String.format(Locale.ROOT,
                "%s, K=%d, %,d records, %,d operations, %d threads",
                bench.clusterDescription(), rep, records, operations, threads))) {
            stdout.println("wrote " + file);
        }
        stdout.flush();
        long failed = phases.stream().mapToLong(YcsbPhase::failed).sum();
        if (failed > 0) {
            err.println("error: " + failed + " YCSB operations failed (see the reports)");
            err.flush();
            return Gtctl.EXIT_FAILURE;
        }
        return Gtctl.EXIT_OK;
    }

    private List<String> chosenWorkloads() {
        List<String> out = new ArrayList<>();
        for (String w : workloads) {
            String name = w.strip().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                out.addAll(YcsbWorkloads.ALL);
            } else if (YcsbWorkloads.ALL.contains(name)) {
                out.add(name);
            } else {
                throw BenchOptions.usage("--workload: no YCSB workload '" + w
                        + "' (a, b, c, d, e, f or all)");
            }
        }
        return out.stream().distinct().toList();
    }

    /**
     * The binding reaches the cluster in plaintext here; a secured running cluster is refused
     * with how to run YCSB's client on it by hand (the binding takes the files as properties).
     */
    private Map<String, String> securityProperties() {
        if (bench.useRunning && (common.security().tls() || common.security().hasToken())) {
            throw BenchOptions.usage("bench ycsb reaches a cluster in plaintext only; for a"
                    + " secured one run YCSB's client with -db " + "org.gtstore.bench.ycsb"
                    + ".GtStoreYcsbDb -p gtstore.tls-ca=F -p gtstore.tls-cert=F"
                    + " -p gtstore.tls-key=F (or -p gtstore.token-file=F)");
        }
        return Map.of();
    }
}
