package org.gtstore.gtctl.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import org.gtstore.bench.driver.DriverSettings;
import org.gtstore.bench.progress.ProgressBar;
import org.gtstore.bench.progress.ProgressListener;
import org.gtstore.bench.report.ResultWriter;
import org.gtstore.bench.suite.BenchCluster;
import org.gtstore.bench.workload.WorkloadConfig;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.DurabilityName;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options both benchmarks take: which cluster (a fresh one per run, or the running one),
 * how it is driven, and where the results go. {@link #validate} checks every value before
 * anything starts, so a typo costs no cluster start: a bad value is a usage error (exit 2).
 */
final class BenchOptions {
    static final String RESULTS_BASE = "bench-results";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "7",
            description = "Data servers of each fresh cluster (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "1024",
            description = "Partitions of each fresh cluster (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--durability", paramLabel = "D", defaultValue = "replicated",
            description = "Durability of each fresh cluster: replicated or fsync (default:"
                    + " ${DEFAULT-VALUE}).")
    String durability;

    @Option(names = "--use-running",
            description = "Use the cluster of --dir/--meta as it is instead of fresh ones.")
    boolean useRunning;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Fixes the keys, values and operations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--value-bytes", paramLabel = "B", defaultValue = "32",
            description = "Value size in bytes (default: ${DEFAULT-VALUE}); keys are 16 bytes.")
    int valueBytes;

    @Option(names = "--in-flight", paramLabel = "N", defaultValue = "64",
            description = "Operations outstanding at once (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Results directory (default: " + RESULTS_BASE
                    + "/<timestamp> in the current directory).")
    Path out;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where fresh clusters live while they run (default: the system"
                    + " temporary directory).")
    Path workDir;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--ready-timeout-ms", paramLabel = "MS", defaultValue = "90000",
            description = "How long to wait for each fresh cluster (default: ${DEFAULT-VALUE}).")
    long readyTimeoutMs;

    /**
     * Checks the shared options; {@code reps} are the replication factors the fresh clusters
     * will have. Options that only shape a fresh cluster are refused with {@code --use-running},
     * where they would be silently ignored.
     */
    void validate(List<Integer> reps, String repOption) {
        if (useRunning) {
            for (String name : List.of("--nodes", "--partitions", "--work-dir", "--durability",
                    "--ready-timeout-ms", repOption)) {
                if (mixee.commandLine().getParseResult().hasMatchedOption(name)) {
                    throw usage(name + " shapes a fresh cluster; with --use-running the"
                            + " running cluster is measured as it is");
                }
            }
        }
        DurabilityName.check("--durability", durability);
        requireAtLeast("--nodes", nodes, 1);
        requireAtLeast("--partitions", partitions, 1);
        requireAtLeast("--in-flight", inFlight, 1);
        requireAtLeast("--ready-timeout-ms", readyTimeoutMs, 1);
        if (valueBytes < 1 || valueBytes > WorkloadConfig.VALUE_BYTES_MAX) {
            throw usage("--value-bytes must be between 1 and " + WorkloadConfig.VALUE_BYTES_MAX
                    + ", got " + valueBytes);
        }
        for (int k : reps) {
            if (k < 1 || k > nodes) {
                throw usage(repOption + " must be between 1 and --nodes (" + nodes + "), got "
                        + k);
            }
        }
    }

    static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw usage(name + " must be at least " + min + ", got " + value);
        }
    }

    static GtctlException usage(String message) {
        return new GtctlException(message, Gtctl.EXIT_USAGE);
    }

    DriverSettings driver() {
        return DriverSettings.DEFAULTS.withInFlight(inFlight);
    }

    /**
     * Creates the results directory before the benchmark runs, so an unwritable {@code --out}
     * fails at once rather than after minutes of measuring.
     */
    Path createResultsDir() {
        Path dir = out != null ? out
                : ResultWriter.timestampedDir(Path.of(RESULTS_BASE), ZonedDateTime.now());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw usage("--out: cannot create the results directory " + dir + ": " + e);
        }
    }

    ProgressListener progress(PrintWriter err) {
        return noProgress ? ProgressListener.NONE : new ProgressBar(err);
    }

    /** A ready cluster with K = {@code rep}: fresh, or the running one of {@code addresses}. */
    BenchCluster cluster(int rep, List<String> runningAddresses, Connector connector,
            PrintWriter err) throws IOException {
        if (useRunning) {
            return BenchCluster.running(runningAddresses);
        }
        return FreshBenchCluster.start(connector, workDir, nodes, rep, partitions, durability,
                Duration.ofMillis(readyTimeoutMs), err);
    }

    /** The chart subtitle's description of the cluster. */
    String clusterDescription() {
        return useRunning ? "running cluster" : nodes + " data servers, durability " + durability;
    }
}
