package org.gtstore.tests.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.gtstore.client.GtStoreClient;
import org.gtstore.client.internal.MetadataClient;
import org.gtstore.gtctl.cluster.GtstoreHome;
import org.gtstore.gtctl.cluster.LogTail;
import org.gtstore.gtctl.cluster.MemberCommands;
import org.gtstore.gtctl.cluster.TestCertificates;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.TransportSecurity;

/**
 * A cluster started the way an operator starts one on several machines (the README's "Running
 * on several machines"): every member on a "host" of its own, a network namespace with its own
 * address on one bridge, where it binds the same ports as every other host; each started by
 * hand from one cluster file with {@code --listen 0.0.0.0} and, for data servers, {@code
 * --advertise ADDRESS:PORT}. The test JVM plays the operator's workstation: gtctl and clients
 * reach the hosts through the bridge, given only {@code --cluster-file}.
 *
 * <p>With TLS, every connection runs over mutual TLS as on real hosts: one test CA, a
 * certificate per host naming its address ({@code gtctl cluster certs --name ID --host
 * ADDRESS}, given on its command line), and the workstation's own in the cluster file.
 *
 * <p>{@link #close} kills every process it started, removes the namespaces (with the
 * {@link NetnsNetwork}) and the directory; {@link #logs} gives the tails of every member's log.
 */
public final class HostsCluster implements AutoCloseable {
    public static final int RAFT_PORT = 7000;
    public static final int RPC_PORT = 7001;
    public static final int DATA_PORT = 7100;
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final NetnsNetwork net;
    private final Path dir;
    private final Path clusterFile;
    private final Path home = GtstoreHome.resolve();
    private final Map<String, String> settings;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final boolean tls;

    private HostsCluster(NetnsNetwork net, Path dir, Map<String, String> settings,
            boolean tls) {
        this.net = net;
        this.dir = dir;
        this.clusterFile = dir.resolve("cluster.conf");
        this.tls = tls;
        Map<String, String> all = new TreeMap<>(settings);
        if (tls) {
            TestCertificates.Files3 own = TestCertificates.issue(tlsDir(), "workstation",
                    List.of());
            all.put("tls-ca", own.ca().toString());
            all.put("tls-cert", own.cert().toString());
            all.put("tls-key", own.key().toString());
        }
        this.settings = Map.copyOf(all);
    }

    /**
     * A host for each metadata member, and the cluster file naming them with {@code settings}
     * (e.g. replication, partitions, initial-servers), over mutual TLS if {@code tls};
     * nothing is started yet.
     */
    public static HostsCluster create(List<String> metadataIds, Map<String, String> settings,
            boolean tls) {
        NetnsNetwork net = NetnsNetwork.create();
        Path dir;
        try {
            dir = Files.createTempDirectory("gtstore-hosts-");
        } catch (IOException e) {
            net.close();
            throw new UncheckedIOException(e);
        }
        HostsCluster c;
        try {
            c = new HostsCluster(net, dir, settings, tls);
        } catch (RuntimeException e) {
            net.close();
            TestCluster.deleteRecursively(dir);
            throw e;
        }
        try {
            for (String id : metadataIds) {
                c.addHost(id);
            }
            c.writeClusterFile(metadataIds);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * A new host (namespace) for member {@code id}, with a certificate of its own naming its
     * address if the cluster runs TLS; returns its address.
     */
    public synchronized String addHost(String id) {
        String address = net.add(id);
        addresses.put(id, address);
        if (tls) {
            TestCertificates.issue(tlsDir(), id, List.of(address));
        }
        return address;
    }

    private Path tlsDir() {
        return dir.resolve("tls");
    }

    /** The host's own certificate flags (they win over the cluster file's), if TLS. */
    private List<String> certificateFlags(String id) {
        return tls ? List.of("--tls-cert", tlsDir().resolve(id + ".pem").toString(),
                "--tls-key", tlsDir().resolve(id + ".key").toString()) : List.of();
    }

    /** How the workstation (this JVM) secures its connections: the cluster file's way. */
    public TransportSecurity security() {
        return ClusterConfigFile.read(clusterFile).security();
    }

    public synchronized String address(String id) {
        String a = addresses.get(id);
        if (a == null) {
            throw new IllegalArgumentException("no host for " + id + " in " + addresses.keySet());
        }
        return a;
    }

    /**
     * Writes the cluster file every host reads, naming these metadata members; processes
     * already running do not read it again (an operator edits every host's copy the same way).
     */
    public synchronized void writeClusterFile(List<String> metadataIds) {
        Map<String, String> conf = new TreeMap<>(settings);
        conf.put("peers", metadataIds.stream().map(id -> id + "=" + address(id) + ":"
                + RAFT_PORT + ":" + RPC_PORT).collect(Collectors.joining(",")));
        try {
            ClusterConfigFile.write(clusterFile, conf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path clusterFile() {
        return clusterFile;
    }

    /** The rpc addresses the cluster file names now. */
    public List<String> metadataAddresses() {
        return ClusterConfigFile.read(clusterFile).metadataAddresses();
    }

    /** Starts metadata member {@code id} on its host, as the README's step 3 does. */
    public void startMetadata(String id, String... extraFlags) {
        List<String> cmd = new ArrayList<>(MemberCommands.METADATA_JVM_FLAGS);
        cmd.addAll(List.of("-jar", home.resolve(MemberCommands.METADATA_JAR).toString(),
                "--id", id, "--cluster-file", clusterFile.toString(), "--listen", "0.0.0.0",
                "--storage-dir", memberDir(id).resolve("raft").toString()));
        cmd.addAll(certificateFlags(id));
        cmd.addAll(Arrays.asList(extraFlags));
        launch(id, cmd);
    }

    /**
     * Starts a new metadata member with {@code --join}, its own entry in {@code --peers}, as
     * the README says for replacing a metadata host.
     */
    public void startJoiningMetadata(String id) {
        startMetadata(id, "--join", "--peers", id + "=" + raftAddress(id) + ":" + RPC_PORT);
    }

    /** Starts data server {@code id} on its host, as the README's step 4 does. */
    public void startServer(String id) {
        startServerAs(id, id);
    }

    /**
     * Starts a data server on {@code host}'s host that calls itself {@code id} (an operator's
     * mistake when {@code id} is another host's); its process and log are {@code host}'s.
     */
    public void startServerAs(String host, String id) {
        List<String> cmd = new ArrayList<>(MemberCommands.SERVER_JVM_FLAGS);
        cmd.addAll(List.of("-jar", home.resolve(MemberCommands.SERVER_JAR).toString(),
                "--id", id, "--cluster-file", clusterFile.toString(),
                "--listen", "0.0.0.0:" + DATA_PORT, "--advertise", dataAddress(host),
                "--data-dir", memberDir(host).resolve("data").toString()));
        cmd.addAll(certificateFlags(host));
        launch(host, cmd);
    }

    /** Waits for the process of {@code host} to exit; its exit code. */
    public int awaitExit(String host, Duration within) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = processes.get(host);
        }
        if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(host + " still runs after " + within);
        }
        return p.exitValue();
    }

    /** The last lines of a member's log. */
    public List<String> logTail(String host, int lines) {
        return LogTail.lastLines(logFile(host), lines);
    }

    public String raftAddress(String id) {
        return address(id) + ":" + RAFT_PORT;
    }

    public String rpcAddress(String id) {
        return address(id) + ":" + RPC_PORT;
    }

    public String dataAddress(String id) {
        return address(id) + ":" + DATA_PORT;
    }

    private synchronized void launch(String id, List<String> javaArgs) {
        if (processes.containsKey(id) && processes.get(id).isAlive()) {
            throw new IllegalStateException(id + " is running");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.namespace(id),
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(javaArgs);
        try {
            Files.createDirectories(memberDir(id));
            Process p = new ProcessBuilder(cmd).directory(memberDir(id).toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(id).toFile()))
                    .start();
            p.getOutputStream().close();
            processes.put(id, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, as {@code systemctl stop} sends; waits for the exit (SIGKILL after 15 s). */
    public void stop(String id) throws InterruptedException {
        Process p;
        synchronized (this) {
            p = processes.get(id);
        }
        if (p == null) {
            throw new IllegalArgumentException(id + " was never started");
        }
        p.destroy();
        if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(id + " did not stop within " + STOP_GRACE + " of SIGTERM");
        }
    }

    public synchronized boolean isRunning(String id) {
        Process p = processes.get(id);
        return p != null && p.isAlive();
    }

    /** Waits until the member answers GetMemberStatus at its rpc address. */
    public void awaitMetadataAnswers(String id, Duration within) {
        try (MetadataClient m = MetadataClient.create(List.of(rpcAddress(id)), security())) {
            await(id + " to answer").atMost(within).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        requireRunning(id);
                        try {
                            m.memberStatus(rpcAddress(id));
                            return true;
                        } catch (RuntimeException e) {
                            return false;
                        }
                    });
        }
    }

    /** Fails at once, with the log, if a member this test started has exited. */
    public synchronized void requireRunning(String id) {
        if (!isRunning(id)) {
            throw new AssertionError(id + " exited: " + String.join("\n",
                    LogTail.lastLines(logFile(id), 40)));
        }
    }

    /** Runs {@code gtctl args... --cluster-file <file>} in this JVM, as from a workstation. */
    public CliResult gtctl(String... args) {
        List<String> full = new ArrayList<>(Arrays.asList(args));
        full.add("--cluster-file");
        full.add(clusterFile.toString());
        return TestCluster.runGtctl("", full.toArray(String[]::new));
    }

    /** A client that knows the metadata members of the cluster file as it is now. */
    public GtStoreClient client(Duration deadline) {
        return GtStoreClient.builder().metadataAddresses(metadataAddresses()).deadline(deadline)
                .security(security()).build();
    }

    private Path memberDir(String id) {
        return dir.resolve(id);
    }

    private Path logFile(String id) {
        return memberDir(id).resolve(id + ".log");
    }

    /** The last lines of every member's log. */
    public synchronized String logs() {
        StringBuilder out = new StringBuilder();
        for (String id : processes.keySet()) {
            out.append("==> ").append(logFile(id)).append(" <==\n");
            LogTail.lastLines(logFile(id), 60).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    @Override
    public synchronized void close() {
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        net.close();
        TestCluster.deleteRecursively(dir);
    }
}
