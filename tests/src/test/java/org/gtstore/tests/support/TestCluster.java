package org.gtstore.tests.support;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.gtstore.client.GtStoreClient;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.GtstoreHome;
import org.gtstore.proto.TransportSecurity;

/**
 * A real cluster for one test class: 3 metadata processes and N data server processes started
 * by the same {@link ClusterLauncher} that {@code scripts/gtctl cluster start} uses, in a fresh
 * temporary directory that {@link #close()} removes after stopping every process.
 */
public final class TestCluster implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration SERVING_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path clusterDir;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    private TestCluster(Path dir, Path clusterDir) {
        this.dir = dir;
        this.clusterDir = clusterDir;
    }

    /** Starts a cluster; on failure prints every log, removes the directory and rethrows. */
    public static TestCluster start(int nodes, int rep) {
        return start(nodes, rep, List.of());
    }

    /**
     * Like {@link #start(int, int)}, with extra flags for every metadata member (timing knobs,
     * e.g. {@code --restart-grace-ms}). The launcher records them in cluster.json, so members
     * restarted later get them too.
     */
    public static TestCluster start(int nodes, int rep, List<String> metadataArgs) {
        return start(nodes, rep, metadataArgs, b -> b);
    }

    /** Like {@link #start(int, int)}, with {@code partitions} partitions. */
    public static TestCluster startWithPartitions(int nodes, int rep, int partitions) {
        return start(nodes, rep, List.of(), b -> b.partitions(partitions));
    }

    /**
     * A cluster whose every connection runs over mutual TLS with certificates the launcher
     * made ({@code tls}), or requires the cluster token ({@code token}), or both.
     */
    public static TestCluster startSecured(int nodes, int rep, int partitions, boolean tls,
            boolean token) {
        return start(nodes, rep, List.of(), b -> b.partitions(partitions).tls(tls)
                .token(token));
    }

    /**
     * A cluster whose every member runs in a network namespace of its own on {@code net}
     * (named after the member, e.g. {@code net.namespace("server3")}), so that a test can cut
     * links between them. The network is closed with the cluster, or at once if the start
     * fails.
     */
    public static TestCluster startInNetns(int nodes, int rep, List<String> metadataArgs,
            NetnsNetwork net) {
        Map<String, String> namespaces = new LinkedHashMap<>();
        Map<String, String> hosts = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>(List.of("meta1", "meta2", "meta3"));
        for (int i = 1; i <= nodes; i++) {
            ids.add("server" + i);
        }
        try {
            for (String id : ids) {
                hosts.put(id, net.add(id));
                namespaces.put(id, net.namespace(id));
            }
            TestCluster c = start(nodes, rep, metadataArgs, b -> b.netns(namespaces, hosts));
            c.closeAfter.add(net);
            return c;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private static TestCluster start(int nodes, int rep, List<String> metadataArgs,
            UnaryOperator<ClusterLauncher.Builder> options) {
        Path dir;
        try {
            dir = Files.createTempDirectory("gtstore-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path clusterDir = dir.resolve("cluster");
        ClusterLauncher launcher = null;
        try {
            launcher = options.apply(ClusterLauncher.builder(clusterDir).nodes(nodes)
                    .replication(rep).metadataArgs(metadataArgs).readyTimeout(READY_TIMEOUT))
                    .start();
            TestCluster c = new TestCluster(dir, clusterDir);
            c.awaitServing();
            return c;
        } catch (RuntimeException | Error e) {
            System.err.println("cluster start failed: " + e);
            dumpLogs(clusterDir);
            if (launcher != null) {
                launcher.stop();
            } else {
                try (ClusterLauncher partial = ClusterLauncher.open(clusterDir)) {
                    partial.stop();
                } catch (RuntimeException ignored) {
                    // Nothing was recorded; nothing to stop.
                }
            }
            deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * A launcher over the cluster as {@code cluster.json} records it now: tests also drive the
     * cluster through {@code gtctl cluster ...}, which records new pids there.
     */
    public ClusterLauncher launcher() {
        return ClusterLauncher.open(clusterDir);
    }

    public Path clusterDir() {
        return clusterDir;
    }

    public List<String> metadataAddresses() {
        return launcher().metadataAddresses();
    }

    /**
     * Waits until the cluster serves: 64 puts to as many partitions, each answered OK, in one
     * round. On an overloaded machine a cluster that just started may take seconds before its
     * servers hold metadata leases (ten JVMs compiling on two cores make heartbeats late), and a
     * test's first operation should not race that. The probe keys are {@code gtstore-probe-*}.
     */
    private void awaitServing() {
        try (GtStoreClient client = client(Duration.ofSeconds(5))) {
            await("the cluster to serve puts").atMost(SERVING_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        for (int i = 0; i < 64; i++) {
                            try {
                                client.put("gtstore-probe-" + i, "probe");
                            } catch (RuntimeException e) {
                                return false;
                            }
                        }
                        return true;
                    });
        }
    }

    /** A client of this cluster with the given overall deadline per operation. */
    public GtStoreClient client(Duration deadline) {
        return GtStoreClient.builder().metadataAddresses(metadataAddresses()).deadline(deadline)
                .security(security()).build();
    }

    /** How the cluster's connections are secured (its TLS files and token, if any). */
    public TransportSecurity security() {
        return launcher().cluster().transportSecurity();
    }

    /** Runs {@code gtctl args... --dir <cluster>} in this JVM and captures what it prints. */
    public CliResult gtctl(String... args) {
        return gtctlWithInput("", args);
    }

    /** Like {@link #gtctl} with the given standard input (for {@code gtctl shell}). */
    public CliResult gtctlWithInput(String stdin, String... args) {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        full.add("--dir");
        full.add(clusterDir().toString());
        return runGtctl(stdin, full.toArray(String[]::new));
    }

    /** Runs gtctl in this JVM with exactly these arguments. */
    public static CliResult runGtctl(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            code = Gtctl.run(args, Connector.real(), in, o, e);
        }
        return new CliResult(code, lines(out.toString()), err.toString());
    }

    /**
     * Runs a real launcher script ({@code scripts/client}, {@code scripts/gtctl}) as a process
     * against this cluster, as a person at a terminal would. The build is the one Maven made.
     */
    public CliResult script(String name, String... args) {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        full.add("--dir");
        full.add(clusterDir().toString());
        return runScript(name, full);
    }

    public static CliResult runScript(String name, List<String> args) {
        Path script = GtstoreHome.resolve().resolve("scripts").resolve(name);
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("GTSTORE_SKIP_BUILD", "1");
        try {
            Path errFile = Files.createTempFile("gtstore-script-", ".err");
            pb.redirectError(errFile.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("script " + name + " did not finish in 60 s: " + args);
            }
            String err = Files.readString(errFile);
            Files.deleteIfExists(errFile);
            return new CliResult(p.exitValue(), lines(out), err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static List<String> lines(String s) {
        if (s.isEmpty()) {
            return List.of();
        }
        return List.of(s.split("\\R"));
    }

    /** The tails of every member's log. */
    public String logs() {
        return launcher().logs();
    }

    private static void dumpLogs(Path clusterDir) {
        if (!Files.isDirectory(clusterDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(clusterDir)) {
            files.filter(p -> p.toString().endsWith(".log")).sorted().forEach(p -> {
                System.err.println("==> " + p + " <==");
                try {
                    List<String> all = Files.readAllLines(p, StandardCharsets.UTF_8);
                    all.subList(Math.max(0, all.size() - 60), all.size())
                            .forEach(System.err::println);
                } catch (IOException | UncheckedIOException e) {
                    System.err.println("(unreadable: " + e + ")");
                }
            });
        } catch (IOException e) {
            System.err.println("cannot list " + clusterDir + ": " + e);
        }
    }

    /**
     * Stops every process this cluster started and removes its directory, unless
     * {@code -Dgt.keepClusterDirs=true} asks to keep it (its logs) for a look after a run that
     * passed, e.g. at an outlier among the measured gaps.
     */
    @Override
    public void close() {
        try {
            launcher().stop();
            for (AutoCloseable c : closeAfter) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + " failed: " + e);
                }
            }
        } finally {
            if (Boolean.getBoolean("gt.keepClusterDirs")) {
                System.err.println("kept the cluster directory " + dir);
            } else {
                deleteRecursively(dir);
            }
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // A file a dying process still writes; the OS temp cleaner gets it.
                }
            });
        } catch (IOException e) {
            // Best effort: the directory is under the system temp dir.
        }
    }
}
