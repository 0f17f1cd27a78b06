package org.gtstore.gtctl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlRunner;
import org.gtstore.gtctl.admin.FakeMetadataView;
import org.gtstore.gtctl.kv.FakeStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Option checking of {@code gtctl bench throughput} and {@code gtctl bench loadbalance}: every
 * bad value is one line on stderr and exit code 2, found before any cluster starts or any
 * results directory is made. (Running the benchmarks against real processes is BenchIT's.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BenchCommandsTest {
    @TempDir
    Path tmp;

    private final GtctlRunner gtctl = new GtctlRunner(new FakeStore(false),
            new FakeMetadataView(FakeMetadataView.balancedMap(7, 1, 1, 4)));

    private GtctlRunner.Result bench(String... args) {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        full.addAll(List.of("--out", tmp.resolve("out").toString(),
                "--dir", tmp.resolve("no-cluster").toString()));
        if (!full.contains("--use-running")) {
            full.addAll(List.of("--work-dir", tmp.resolve("work").toString()));
        }
        return gtctl.run(full.toArray(String[]::new));
    }

    private void assertUsageError(String expectedStart, String... args) {
        GtctlRunner.Result r = bench(args);
        String command = String.join(" ", args);
        assertEquals(Gtctl.EXIT_USAGE, r.exitCode(), command + ": " + r.err());
        assertEquals(1, r.err().lines().count(), command + ": " + r.err());
        assertTrue(r.err().startsWith("error: " + expectedStart), command + ": " + r.err());
        assertEquals("", r.out(), command);
        assertFalse(Files.exists(tmp.resolve("out")), command + " made the results directory");
        assertFalse(Files.exists(tmp.resolve("work")), command + " started a cluster");
    }

    @Test
    void throughputRejectsBadCountsAndMix() {
        assertUsageError("--ops must be at least 1, got 0", "bench", "throughput", "--ops", "0");
        assertUsageError("--ops must be at least 1, got -5", "bench", "throughput", "--ops", "-5");
        assertUsageError("--keys must be at least 1, got 0", "bench", "throughput", "--keys", "0");
        assertUsageError("--get-percent must be between 0 and 100, got 101",
                "bench", "throughput", "--get-percent", "101");
        assertUsageError("--get-percent must be between 0 and 100, got -1",
                "bench", "throughput", "--get-percent", "-1");
        assertUsageError("Invalid value for option '--ops'", "bench", "throughput", "--ops", "x");
        assertUsageError("Invalid value for option '--distribution'",
                "bench", "throughput", "--distribution", "pareto");
    }

    @Test
    void throughputRejectsReplicationFactorsNoClusterCanHave() {
        assertUsageError("--reps must be between 1 and --nodes (7), got 0",
                "bench", "throughput", "--reps", "0,3");
        assertUsageError("--reps must be between 1 and --nodes (7), got 8",
                "bench", "throughput", "--reps", "1,8");
        assertUsageError("--reps must be between 1 and --nodes (2), got 3",
                "bench", "throughput", "--nodes", "2");
        assertUsageError("--reps lists a K twice: [1, 1]", "bench", "throughput", "--reps", "1,1");
        assertUsageError("Invalid value for option '--reps'", "bench", "throughput", "--reps", "a");
    }

    @Test
    void bothRejectBadSharedOptions() {
        for (String command : List.of("throughput", "loadbalance")) {
            assertUsageError("--in-flight must be at least 1, got 0",
                    "bench", command, "--in-flight", "0");
            assertUsageError("--nodes must be at least 1, got 0",
                    "bench", command, "--nodes", "0");
            assertUsageError("--partitions must be at least 1, got 0",
                    "bench", command, "--partitions", "0");
            assertUsageError("--ready-timeout-ms must be at least 1, got 0",
                    "bench", command, "--ready-timeout-ms", "0");
            assertUsageError("--value-bytes must be between 1 and 1048576, got 0",
                    "bench", command, "--value-bytes", "0");
            assertUsageError("--value-bytes must be between 1 and 1048576, got 1048577",
                    "bench", command, "--value-bytes", "1048577");
            assertUsageError("--timeout-ms must be positive, got 0",
                    "bench", command, "--timeout-ms", "0");
        }
    }

    @Test
    void loadBalanceRejectsBadKeysAndReplication() {
        assertUsageError("--keys must be at least 1, got 0", "bench", "loadbalance", "--keys", "0");
        assertUsageError("--rep must be between 1 and --nodes (7), got 8",
                "bench", "loadbalance", "--rep", "8");
        assertUsageError("--rep must be between 1 and --nodes (7), got 0",
                "bench", "loadbalance", "--rep", "0");
    }

    @Test
    void useRunningRefusesOptionsThatOnlyShapeAFreshCluster() {
        assertUsageError("--reps shapes a fresh cluster", "bench", "throughput",
                "--use-running", "--reps", "3");
        assertUsageError("--nodes shapes a fresh cluster", "bench", "throughput",
                "--use-running", "--nodes", "5");
        assertUsageError("--rep shapes a fresh cluster", "bench", "loadbalance",
                "--use-running", "--rep", "1");
    }

    @Test
    void useRunningWithoutAClusterIsOneLineFailure() {
        for (String command : List.of("throughput", "loadbalance")) {
            GtctlRunner.Result r = bench("bench", command, "--use-running");
            assertEquals(Gtctl.EXIT_FAILURE, r.exitCode(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("error: no cluster in "), r.err());
            assertFalse(Files.exists(tmp.resolve("out")));
        }
    }

    @Test
    void unwritableResultsDirectoryIsAUsageErrorBeforeAnyClusterStarts() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        GtctlRunner.Result r = gtctl.run("bench", "loadbalance", "--out",
                file.resolve("sub").toString(), "--work-dir", tmp.resolve("work").toString());
        assertEquals(Gtctl.EXIT_USAGE, r.exitCode(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: --out: cannot create the results directory "),
                r.err());
        assertFalse(Files.exists(tmp.resolve("work")));
    }

    @Test
    void benchWithoutABenchmarkIsAUsageError() {
        GtctlRunner.Result r = gtctl.run("bench");
        assertEquals(Gtctl.EXIT_USAGE, r.exitCode(), r.err());
        assertEquals("error: Missing required subcommand (see 'gtctl bench --help')\n", r.err());
    }
}
