package org.gtstore.gtctl.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.gtstore.bench.suite.BenchCluster;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Errors;
import org.gtstore.gtctl.cluster.ClusterException;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster started for one benchmark run in a new directory, stopped and deleted when closed.
 * A run must not see data of another K, hence a new directory every time.
 *
 * <p>Ten JVMs left behind would slow everything else on a two-core machine, so the processes
 * are stopped on every way out: {@link #close}, a failed start (the launcher stops what it
 * started; the directory is kept for its logs and named in the error), and a JVM shutdown
 * (Ctrl-C, SIGTERM) while starting or running, through a shutdown hook that stops whatever
 * {@code cluster.json} records and removes the directory.
 */
final class FreshBenchCluster implements BenchCluster {
    private static final Logger LOG = LoggerFactory.getLogger(FreshBenchCluster.class);

    private final ClusterLauncher launcher;
    private final Path dir;
    private final Thread stopOnExit;

    private FreshBenchCluster(ClusterLauncher launcher, Path dir, Thread stopOnExit) {
        this.launcher = launcher;
        this.dir = dir;
        this.stopOnExit = stopOnExit;
    }

    /**
     * Starts 3 metadata members and {@code nodes} data servers with K = {@code rep} in a new
     * directory under {@code parent} (the system temporary directory if null), with the given
     * durability ({@code replicated} or {@code fsync}).
     */
    static FreshBenchCluster start(Connector connector, Path parent, int nodes, int rep,
            int partitions, String durability, Duration readyTimeout, PrintWriter err)
            throws IOException {
        String prefix = "gtstore-bench-k" + rep + "-";
        Path dir;
        if (parent == null) {
            dir = Files.createTempDirectory(prefix);
        } else {
            dir = Files.createTempDirectory(Files.createDirectories(parent), prefix);
        }
        err.println("Starting a fresh cluster: 3 metadata servers, " + nodes
                + " data servers, K=" + rep + ", durability " + durability + ", in " + dir
                + " ...");
        err.flush();
        Thread stopOnExit = new Thread(() -> stopRecorded(dir), "gtstore-bench-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        ClusterLauncher launcher;
        try {
            launcher = ClusterLauncher.builder(dir)
                    .metadataView(connector::openMetadata)
                    .nodes(nodes).replication(rep).partitions(partitions)
                    .metadataArgs(List.of("--durability", durability))
                    .readyTimeout(readyTimeout)
                    .start();
        } catch (RuntimeException e) {
            removeHook(stopOnExit);
            throw new ClusterException("the fresh cluster for K=" + rep + " did not start: "
                    + Errors.oneLine(e.getMessage()) + " (logs kept in " + dir + ")", e);
        }
        return new FreshBenchCluster(launcher, dir, stopOnExit);
    }

    @Override
    public List<String> metadataAddresses() {
        return launcher.metadataAddresses();
    }

    /** Stops every member and deletes the directory; a file that will not go is only logged. */
    @Override
    public void close() {
        try {
            launcher.stop();
        } finally {
            removeHook(stopOnExit);
        }
        deleteRecursively(dir);
    }

    /**
     * The shutdown hook's work: stop whatever cluster.json in {@code dir} says is running, then
     * remove the directory (the run was cut short on purpose; its data is of no use).
     */
    private static void stopRecorded(Path dir) {
        if (ClusterFile.read(dir).isPresent()) {
            try {
                ClusterLauncher.open(dir).stop();
            } catch (RuntimeException e) {
                LOG.warn("could not stop the benchmark cluster in {}: {}", dir, e.toString());
                return;
            }
        }
        deleteRecursively(dir);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook runs and stops the cluster.
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete the benchmark cluster directory {}: {}", root,
                    e.toString());
        }
    }
}
