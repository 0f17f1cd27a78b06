package org.gtstore.gtctl.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gtstore.gtctl.CommonOptions;
import org.gtstore.gtctl.Connector;
import org.gtstore.gtctl.DurabilityName;
import org.gtstore.gtctl.Gtctl;
import org.gtstore.gtctl.GtctlException;
import org.gtstore.gtctl.cluster.ClusterFile;
import org.gtstore.gtctl.cluster.ClusterLauncher;
import org.gtstore.gtctl.cluster.MemberFlags;
import org.gtstore.proto.TransportSecurity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gtctl cluster start --nodes N --rep K}: starts 3 metadata members and N data servers,
 * waits until every partition has K replicas, and prints the members with ids, addresses and
 * pids. On a directory holding a stopped cluster it starts that cluster again.
 */
@Command(name = "start", description = {
    "Start 3 metadata servers and N data servers on this machine, wait until the map is",
    "ready, and print the members. A stopped cluster in --dir is started again as it was."})
final class ClusterStartCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Spec
    private CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", description = "Data servers to start.")
    private Integer nodes;

    @Option(names = "--rep", paramLabel = "K", description = "Replicas of every partition.")
    private Integer rep;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "1024",
            description = "Partitions of the key space (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--durability", paramLabel = "D", description = {
        "When a write is acknowledged: replicated (every replica has it in its log; survives",
        "any process kill) or fsync (every replica synced it to disk; survives a power cut).",
        "Fixed when the cluster is made (default: replicated)."})
    private String durability;

    @Option(names = "--ready-timeout-ms", paramLabel = "MS", defaultValue = "90000",
            description = "How long to wait for the map to be ready (default: ${DEFAULT-VALUE}).")
    private long readyTimeoutMs;

    @Option(names = "--failure-timeout-ms", paramLabel = "MS", description = {
        "A data server silent this long is declared dead (metadata default 2000)."})
    private Long failureTimeoutMs;

    @Option(names = "--lease-ms", paramLabel = "MS", description = {
        "A data server that cannot renew its lease this long stops serving; at most 90%% of",
        "the failure timeout (metadata default 1500)."})
    private Long leaseMs;

    @Option(names = "--restart-grace-ms", paramLabel = "MS", description = {
        "How long a killed data server (connection refused) may take to restart before it is",
        "declared dead, so a quick restart keeps its chain positions; below the failure",
        "timeout (metadata default 0: refused means dead at once). E.g. --failure-timeout-ms",
        "10000 --lease-ms 8000 --restart-grace-ms 8000.",
        "These three are recorded in cluster.json and kept by later starts and restarts."})
    private Long restartGraceMs;

    @Option(names = "--tls", description = {
        "A new cluster runs every connection (clients, chains, metadata, Ratis) over mutual",
        "TLS, with a CA and member certificate made in <dir>/tls; gtctl --dir uses them."})
    private boolean tls;

    @Option(names = "--token", description = {
        "A new cluster requires a shared token (<dir>/token) on every call; gtctl --dir",
        "sends it, others need --token-file."})
    private boolean token;

    @Option(names = "--metrics", description = {
        "Every member of a new cluster serves Prometheus metrics on a loopback port of its",
        "own (listed below, kept in cluster.json; members added later get one too)."})
    private boolean metrics;

    private final Connector connector;

    ClusterStartCommand(Connector connector) {
        this.connector = connector;
    }

    @Override
    public Integer call() {
        Optional<ClusterFile> existing = ClusterFile.read(common.dir());
        if (existing.isEmpty() && (nodes == null || rep == null)) {
            throw new GtctlException("a new cluster needs --nodes N and --rep K",
                    Gtctl.EXIT_USAGE);
        }
        checkDurability(existing);
        checkSecurity(existing);
        if (readyTimeoutMs <= 0) {
            throw new GtctlException("--ready-timeout-ms must be positive, got "
                    + readyTimeoutMs, Gtctl.EXIT_USAGE);
        }
        PrintWriter err = spec.commandLine().getErr();
        ClusterLauncher launcher = ClusterDir.builder(common, connector, "start")
                .onLaunch((file, restart) -> {
                    err.println((restart ? "Starting the cluster in "
                            : "Starting a new cluster in ")
                            + common.dir().toAbsolutePath().normalize() + " ...");
                    err.flush();
                })
                .nodes(nodes == null ? 0 : nodes)
                .replication(rep == null ? 0 : rep)
                .partitions(partitions)
                .readyTimeout(Duration.ofMillis(readyTimeoutMs))
                .metadataArgs(metadataFlags())
                .tls(tls)
                .token(token)
                .metrics(metrics)
                .start();
        PrintWriter out = spec.commandLine().getOut();
        lines(launcher.dir().toString(), launcher.cluster(), common.json()).forEach(out::println);
        out.flush();
        return Gtctl.EXIT_OK;
    }

    /**
     * {@code --tls} and {@code --token} secure a new cluster; an existing one keeps what it
     * was started with (its members' certificates or token are made once), so asking for more
     * is refused rather than ignored.
     */
    private void checkSecurity(Optional<ClusterFile> existing) {
        if (existing.isEmpty()) {
            return;
        }
        if (metrics && existing.get().metrics().isEmpty()) {
            throw new GtctlException("this cluster was started without --metrics; it applies to"
                    + " a new cluster only (start one in another --dir)", Gtctl.EXIT_USAGE);
        }
        TransportSecurity has = existing.get().transportSecurity();
        if (tls && !has.tls() || token && !has.hasToken()) {
            throw new GtctlException("this cluster was started without " + (tls && !has.tls()
                    ? "--tls" : "--token") + "; it applies to a new cluster only (start one in"
                    + " another --dir)", Gtctl.EXIT_USAGE);
        }
    }

    /**
     * {@code --durability} names a known mode and, for a cluster that exists, the one it was
     * made with: the mode is fixed when the cluster forms.
     */
    private void checkDurability(Optional<ClusterFile> existing) {
        if (durability == null) {
            return;
        }
        DurabilityName.check("--durability", durability);
        if (existing.isPresent()) {
            String recorded = recordedDurability(existing.get().metadataArgs());
            if (!recorded.equals(durability)) {
                throw new GtctlException("the cluster in " + common.dir() + " was made with"
                        + " --durability " + recorded + "; durability is fixed when a cluster"
                        + " is made", Gtctl.EXIT_USAGE);
            }
        }
    }

    /** The durability recorded among a cluster's metadata flags (replicated when absent). */
    static String recordedDurability(List<String> metadataArgs) {
        return MemberFlags.value(metadataArgs, "--durability").orElse(DurabilityName.REPLICATED);
    }

    /** The flags given, for every metadata member (they check them at start). */
    private List<String> metadataFlags() {
        List<String> flags = new ArrayList<>();
        if (durability != null) {
            flags.add("--durability");
            flags.add(durability);
        }
        addFlag(flags, "--failure-timeout-ms", failureTimeoutMs);
        addFlag(flags, "--lease-ms", leaseMs);
        addFlag(flags, "--restart-grace-ms", restartGraceMs);
        return flags;
    }

    private static void addFlag(List<String> flags, String name, Long value) {
        if (value == null) {
            return;
        }
        if (value < 0) {
            throw new GtctlException(name + " must not be negative, got " + value,
                    Gtctl.EXIT_USAGE);
        }
        flags.add(name);
        flags.add(value.toString());
    }

    /** What {@code cluster start} prints for a started cluster. */
    static List<String> lines(String dir, ClusterFile c, boolean json) {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("dir", dir);
            o.put("replication", c.replication());
            o.put("partitions", c.partitions());
            ArrayNode meta = o.putArray("metadata");
            c.metadata().forEach(m -> withMetrics(c, m.id(), meta.addObject().put("id", m.id())
                    .put("address", m.rpcAddress())
                    .put("raftAddress", m.host() + ":" + m.raftPort())
                    .put("pid", m.pid())));
            ArrayNode servers = o.putArray("servers");
            c.servers().forEach(s -> withMetrics(c, s.id(), servers.addObject()
                    .put("id", s.id()).put("address", s.address()).put("pid", s.pid())));
            return List.of(o.toString());
        }
        boolean metrics = !c.metrics().isEmpty();
        TextTable t = metrics ? new TextTable("ID", "ADDRESS", "PID", "METRICS", "LOG")
                : new TextTable("ID", "ADDRESS", "PID", "LOG");
        c.metadata().forEach(m -> row(t, c, m.id(), m.rpcAddress(), m.pid(), dir));
        c.servers().forEach(s -> row(t, c, s.id(), s.address(), s.pid(), dir));
        List<String> out = new java.util.ArrayList<>();
        out.add("Cluster ready in " + dir + ": " + c.metadata().size() + " metadata + "
                + c.servers().size() + " data servers, K=" + c.replication() + ", "
                + c.partitions() + " partitions");
        out.addAll(t.lines());
        return out;
    }

    private static void row(TextTable t, ClusterFile c, String id, String address, long pid,
            String dir) {
        String log = dir + "/" + id + "/" + id + ".log";
        if (c.metrics().isEmpty()) {
            t.row(id, address, pid, log);
        } else {
            t.row(id, address, pid, c.metricsAddress(id).map(a -> "http://" + a + "/metrics")
                    .orElse("-"), log);
        }
    }

    private static void withMetrics(ClusterFile c, String id, ObjectNode member) {
        c.metricsAddress(id).ifPresent(a -> member.put("metrics", "http://" + a + "/metrics"));
    }
}
