package org.gtstore.gtctl.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.gtstore.gtctl.cluster.ClusterFile.MetadataMember;
import org.gtstore.gtctl.cluster.ClusterFile.ServerMember;
import org.gtstore.proto.ClusterConfigFile;
import org.gtstore.proto.TransportSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, stops, kills and restarts the processes of a one-machine cluster: three metadata
 * members and N data servers, each a separate JVM, all described by {@code <dir>/cluster.json}
 * (see docs/contracts.md). Used by {@code gtctl cluster ...} and by the integration tests:
 *
 * <pre>
 * try (ClusterLauncher c = ClusterLauncher.start(dir, 5, 3, Duration.ofSeconds(60))) {
 *     client = GtStoreClient.builder().metadataAddresses(c.metadataAddresses()).build();
 *     c.kill("server3");
 *     c.restart("server3");
 * }   // close() stops every member; the data stays on disk
 * </pre>
 *
 * <p>Ports are chosen once and kept in cluster.json, so a stopped cluster restarted with
 * {@link #start} on the same directory keeps every address and every data directory. Operator
 * mistakes (an unknown id, restarting a live member, starting over a running cluster, K larger
 * than N) throw {@link ClusterException} and change nothing.
 */
public final class ClusterLauncher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLauncher.class);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final Path dir;
    private final MemberCommands commands;
    private final List<String> metadataArgs;
    private final List<String> serverArgs;
    private final Duration stopGrace;
    private final Function<List<String>, MetadataView> viewFactory;
    private ClusterFile cluster;
    /** What this launcher last wrote to the cluster file, null before it wrote any. */
    private Map<String, String> writtenConf;

    private ClusterLauncher(Builder b, ClusterFile cluster) {
        this.dir = b.dir;
        this.commands = MemberCommands.fromEnvironment(b.home, b.dir);
        // A flag given now replaces the recorded one of that name; the others go on.
        this.metadataArgs = MemberFlags.merge(cluster.metadataArgs(), b.metadataArgs);
        this.serverArgs = MemberFlags.merge(cluster.serverArgs(), b.serverArgs);
        this.stopGrace = b.stopGrace;
        // The launcher's own view of the group is secured as the cluster is.
        TransportSecurity security = cluster.transportSecurity();
        this.viewFactory = b.viewFactory != null ? b.viewFactory
                : addresses -> ClientMetadataView.connect(addresses, security);
        this.cluster = cluster.withArgs(metadataArgs, serverArgs);
    }

    /** Starts a cluster of 3 metadata members and {@code nodes} data servers with K = rep. */
    public static ClusterLauncher start(Path dir, int nodes, int rep, Duration timeout) {
        return builder(dir).nodes(nodes).replication(rep).readyTimeout(timeout).start();
    }

    /** Opens the cluster described by {@code <dir>/cluster.json}, running or not. */
    public static ClusterLauncher open(Path dir) {
        return builder(dir).open();
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options of a launch; {@link #start()} launches, {@link #open()} only reads. */
    public static final class Builder {
        private final Path dir;
        private int nodes;
        private int replication;
        private int partitions = 1024;
        private String host = "127.0.0.1";
        private Map<String, String> memberHosts = Map.of();
        private Map<String, String> netns = Map.of();
        private Duration readyTimeout = Duration.ofSeconds(90);
        private Duration stopGrace = Duration.ofSeconds(5);
        private Path home;
        private List<String> metadataArgs = List.of();
        private List<String> serverArgs = List.of();
        private Function<List<String>, MetadataView> viewFactory;
        private boolean tls;
        private boolean token;
        private boolean metrics;
        private BiConsumer<ClusterFile, Boolean> onLaunch = (file, existing) -> { };

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir == null").toAbsolutePath().normalize();
        }

        /** Data servers to start; 0 means "as recorded in an existing cluster.json". */
        public Builder nodes(int n) {
            this.nodes = n;
            return this;
        }

        /** K; 0 means "as recorded in an existing cluster.json". */
        public Builder replication(int k) {
            this.replication = k;
            return this;
        }

        public Builder partitions(int p) {
            this.partitions = p;
            return this;
        }

        public Builder host(String h) {
            this.host = Objects.requireNonNull(h, "host == null");
            return this;
        }

        /**
         * A new cluster's members in network namespaces of their own: member id to the
         * namespace (which must exist) and to the address the member has there. Recorded in
         * cluster.json, so every later start and restart launches them there too.
         */
        public Builder netns(Map<String, String> namespaces, Map<String, String> hosts) {
            this.netns = Map.copyOf(namespaces);
            this.memberHosts = Map.copyOf(hosts);
            return this;
        }

        /**
         * A new cluster runs every connection over mutual TLS with certificates the launcher
         * makes ({@code <dir>/tls}, {@link TestCertificates}); recorded, so every later start
         * does too.
         */
        public Builder tls(boolean on) {
            this.tls = on;
            return this;
        }

        /**
         * A new cluster requires a shared token on every call ({@code <dir>/token}, made by
         * the launcher); recorded like {@link #tls}.
         */
        public Builder token(boolean on) {
            this.token = on;
            return this;
        }

        /** A new cluster whose every member serves Prometheus metrics on a port of its own. */
        public Builder metrics(boolean on) {
            this.metrics = on;
            return this;
        }

        public Builder readyTimeout(Duration t) {
            this.readyTimeout = Objects.requireNonNull(t, "readyTimeout == null");
            return this;
        }

        /** How long {@code stop} waits after SIGTERM before SIGKILL. */
        public Builder stopGrace(Duration t) {
            this.stopGrace = Objects.requireNonNull(t, "stopGrace == null");
            return this;
        }

        /** The repository root holding the built jars (default: {@link GtstoreHome}). */
        public Builder home(Path h) {
            this.home = h;
            return this;
        }

        /**
         * Extra flags for every metadata member, e.g. {@code --failure-timeout-ms 1000};
         * recorded in cluster.json and used again by later starts and restarts (a flag given
         * again replaces its recorded value, see {@link MemberFlags#merge}).
         */
        public Builder metadataArgs(List<String> args) {
            this.metadataArgs = List.copyOf(args);
            return this;
        }

        /** Extra flags for every data server; recorded like {@link #metadataArgs}. */
        public Builder serverArgs(List<String> args) {
            this.serverArgs = List.copyOf(args);
            return this;
        }

        /** How to reach the metadata group (tests may pass a fake). */
        public Builder metadataView(Function<List<String>, MetadataView> factory) {
            this.viewFactory = Objects.requireNonNull(factory, "factory == null");
            return this;
        }

        /**
         * Called once the start has been validated (nothing running, sizes consistent) and
         * just before the processes are launched, with the cluster and whether it existed:
         * a CLI prints its progress line here, so a refused start prints only its error.
         */
        public Builder onLaunch(BiConsumer<ClusterFile, Boolean> listener) {
            this.onLaunch = Objects.requireNonNull(listener, "listener == null");
            return this;
        }

        public ClusterLauncher open() {
            ClusterFile file = ClusterFile.read(dir).orElseThrow(() -> new ClusterException(
                    "no cluster in " + dir + " (no " + ClusterFile.FILE_NAME
                    + "); start one with 'gtctl cluster start --nodes N --rep K'"));
            return new ClusterLauncher(this, file);
        }

        /**
         * Launches every member and waits until the map is ready. A directory that already
         * holds a stopped cluster is started again with its ports and data.
         */
        public ClusterLauncher start() {
            if (ClusterFile.read(dir).isEmpty()) {
                // Refuse bad sizes before the lock creates the directory: nothing is left behind.
                ClusterPlan.validateNew(nodes, replication, partitions);
            }
            DirLock lock = DirLock.acquire(dir);
            try {
                boolean restart = ClusterFile.read(dir).isPresent();
                ClusterFile file = ClusterPlan.plan(dir, nodes, replication, partitions, host,
                        memberHosts);
                if (!restart) {
                    file = file.withNetns(netns).withSecurity(ClusterSecurity.make(dir, file,
                            tls, token));
                    if (metrics) {
                        file = ClusterPlan.withMetricsPorts(file, file.memberIds());
                    }
                }
                ClusterLauncher launcher = new ClusterLauncher(this, file);
                launcher.commands.requireJars();
                onLaunch.accept(file, restart);
                try {
                    launcher.launchAndAwait(readyTimeout, !restart);
                } catch (RuntimeException e) {
                    launcher.stopQuietly();
                    throw e;
                }
                return launcher;
            } finally {
                lock.close();
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** The cluster as last recorded (addresses, K, partitions, pids of the last launch). */
    public synchronized ClusterFile cluster() {
        return cluster;
    }

    /** The metadata members' rpc addresses ({@code host:port}), for clients and {@code --meta}. */
    public synchronized List<String> metadataAddresses() {
        return cluster.metadataAddresses();
    }

    public synchronized List<String> serverIds() {
        return cluster.servers().stream().map(ServerMember::id).toList();
    }

    public synchronized List<String> metadataIds() {
        return cluster.metadata().stream().map(MetadataMember::id).toList();
    }

    /** The data server's {@code host:port}. */
    public synchronized String serverAddress(String id) {
        return cluster.server(id).map(ServerMember::address)
                .orElseThrow(() -> unknownId(id));
    }

    /** The pid of a member's last launch (0 if never launched or stopped). */
    public synchronized long pid(String id) {
        requireKnown(id);
        return cluster.pidOf(id);
    }

    public synchronized boolean isRunning(String id) {
        requireKnown(id);
        return ProcessControl.memberProcess(cluster.pidOf(id), id).isPresent();
    }

    public Path logFile(String id) {
        requireKnown(id);
        return commands.logFile(id);
    }

    /** Sends SIGKILL to one member, like {@code kill -9}; the member's data stays. */
    public synchronized void kill(String id) {
        requireKnown(id);
        long pid = cluster.pidOf(id);
        ProcessHandle process = ProcessControl.memberProcess(pid, id)
                .orElseThrow(() -> new ClusterException(id + " is not running; nothing to kill"
                        + " (start it with 'gtctl cluster restart " + id + "')"));
        ProcessControl.killNow(process, KILL_WAIT);
        LOG.info("killed {} (pid {})", id, pid);
    }

    /**
     * Starts a member that is not running with its old ports and data directory, and waits
     * (bounded) until it is back: a metadata member answers its status, a data server has
     * registered again.
     */
    public synchronized void restart(String id, Duration timeout) {
        requireKnown(id);
        long oldPid = cluster.pidOf(id);
        if (ProcessControl.memberProcess(oldPid, id).isPresent()) {
            throw new ClusterException(id + " is running (pid " + oldPid + "); kill it first"
                    + " with 'gtctl cluster kill " + id + "'");
        }
        try (MetadataView view = viewFactory.apply(cluster.metadataAddresses())) {
            if (cluster.metadataMember(id).isPresent()) {
                launchMetadata(cluster.metadataMember(id).get());
                String address = cluster.metadataMember(id).get().rpcAddress();
                awaitCondition(deadline(timeout), timeout, List.of(id),
                        "metadata member " + id + " to answer",
                        () -> view.memberStatus(address).isPresent()
                                ? Optional.empty() : Optional.of(id + " does not answer yet"));
            } else {
                long before = ClusterObservations.incarnation(view, id);
                launchServer(cluster.server(id).get());
                ServerMember member = cluster.server(id).get();
                awaitCondition(deadline(timeout), timeout, List.of(id),
                        id + " to register again",
                        () -> ClusterObservations.serverBack(view, member, before));
            }
        }
    }

    /**
     * Starts {@code count} new data servers (the next free ids, new ports on the first
     * server's host) and waits until each registered; the metadata leader then moves load onto
     * them. Returns their ids.
     */
    public synchronized List<String> addServers(int count, Duration timeout) {
        if (count < 1) {
            throw new ClusterException("--count must be at least 1, got " + count);
        }
        String host = cluster.servers().isEmpty() ? "127.0.0.1"
                : cluster.servers().get(0).host();
        List<Integer> ports = PortAllocator.freePorts(host, count);
        List<String> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ServerMember m = new ServerMember(cluster.nextServerId(), host, ports.get(i), 0);
            cluster = cluster.withServer(m);
            added.add(m.id());
        }
        if (!cluster.metrics().isEmpty()) {
            cluster = ClusterPlan.withMetricsPorts(cluster, added);
        }
        cluster.write(dir);
        try (MetadataView view = viewFactory.apply(cluster.metadataAddresses())) {
            for (String id : added) {
                launchServer(cluster.server(id).get());
            }
            long deadline = deadline(timeout);
            for (String id : added) {
                ServerMember member = cluster.server(id).get();
                awaitCondition(deadline, timeout, List.of(id), id + " to register",
                        () -> ClusterObservations.serverBack(view, member, 0));
            }
        }
        return added;
    }

    /**
     * Starts a new metadata member with {@code --join} (the id given, or the next free one;
     * new ports on the first member's host), records it, and waits until it answers; the
     * leader is then asked to add it to the group. Returns it.
     */
    public synchronized MetadataMember startJoiningMetadata(Optional<String> id,
            Duration timeout) {
        String newId = id.orElseGet(cluster::nextMetadataId);
        if (cluster.memberIds().contains(newId)) {
            throw new ClusterException("member " + newId + " already exists");
        }
        String host = cluster.metadata().isEmpty() ? "127.0.0.1"
                : cluster.metadata().get(0).host();
        List<Integer> ports = PortAllocator.freePorts(host, 2);
        MetadataMember m = new MetadataMember(newId, host, ports.get(0), ports.get(1), 0);
        cluster = cluster.withMetadataMember(m);
        if (!cluster.metrics().isEmpty()) {
            cluster = ClusterPlan.withMetricsPorts(cluster, List.of(newId));
        }
        cluster.write(dir);
        writeClusterConf();
        record(m.id(), ProcessControl.launch(commands.metadata(cluster, m, metadataArgs, true),
                commands.memberDir(m.id()), commands.logFile(m.id())));
        try (MetadataView view = viewFactory.apply(List.of(m.rpcAddress()))) {
            awaitCondition(deadline(timeout), timeout, List.of(m.id()),
                    "metadata member " + m.id() + " to answer",
                    () -> view.memberStatus(m.rpcAddress()).isPresent()
                            ? Optional.empty() : Optional.of(m.id() + " does not answer yet"));
        }
        return cluster.metadataMember(newId).orElseThrow();
    }

    /**
     * Stops member {@code id} ({@link #stopGracefully}) and forgets it in the cluster file;
     * its directory and log stay on disk.
     */
    public synchronized void stopAndForget(String id) {
        requireKnown(id);
        stopGracefully(id);
        cluster = cluster.metadataMember(id).isPresent() ? cluster.withoutMetadataMember(id)
                : cluster.withoutServer(id);
        cluster.write(dir);
    }

    /**
     * Stops one member gracefully (SIGTERM; SIGKILL after the grace period) and records pid 0;
     * a data server leaves the cluster on the way out, a metadata leader hands its leadership
     * over. Its address and data stay, for {@link #restart}.
     */
    public synchronized void stopGracefully(String id) {
        requireKnown(id);
        terminate(running(List.of(id), new ArrayList<>()));
        cluster = cluster.withPid(id, 0);
        cluster.write(dir);
    }

    /** {@link #restart(String, Duration)} with a 30-second wait. */
    public void restart(String id) {
        restart(id, Duration.ofSeconds(30));
    }

    /**
     * Stops every member this cluster recorded (SIGTERM, then SIGKILL after the grace period)
     * and records pid 0 for all. The data stays on disk.
     *
     * <p>The metadata members stop first: were the data servers first, the metadata group would
     * declare each of them dead as it went silent, and a later start would bring every server
     * back as a new member with every partition to rebuild. Stopped in this order, the map still
     * has them alive and they rejoin with their chain positions.
     *
     * @return the ids of the members that were running
     */
    public synchronized List<String> stop() {
        List<String> stopped = new ArrayList<>();
        List<ProcessHandle> metadata = running(cluster.metadata().stream()
                .map(MetadataMember::id).toList(), stopped);
        List<ProcessHandle> servers = running(cluster.servers().stream()
                .map(ServerMember::id).toList(), stopped);
        terminate(metadata);
        terminate(servers);
        cluster = cluster.withoutPids();
        cluster.write(dir);
        return stopped;
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * The last lines of every member's log file, one block per member, for test failure output
     * and error reports.
     */
    public String logs() {
        StringBuilder out = new StringBuilder();
        for (String id : cluster().memberIds()) {
            Path file = commands.logFile(id);
            out.append("==> ").append(file).append(" <==\n");
            for (String line : LogTail.lastLines(file, LOG_TAIL_LINES)) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * Waits until the metadata group has a leader, every data server is registered, alive and
     * listening, and every partition has K live replicas.
     */
    public void awaitReady(Duration timeout) {
        List<String> members = cluster().memberIds();
        try (MetadataView view = viewFactory.apply(metadataAddresses())) {
            awaitCondition(deadline(timeout), timeout, members, "the cluster to be ready",
                    () -> ClusterObservations.readiness(cluster(), view));
        }
    }

    /**
     * Starts every member and waits until the cluster is ready.
     *
     * <p>A new cluster starts its data servers only once the metadata group has a leader, so
     * that ten JVMs do not compete for two cores while it elects the first one. A cluster started
     * again starts everything at once instead: its map still lists the servers, and a new leader
     * gives them only a short grace period to register again before it declares them dead.
     */
    private void launchAndAwait(Duration timeout, boolean serversAfterLeader) {
        long deadline = deadline(timeout);
        cluster().write(dir);
        cluster().metadata().forEach(this::launchMetadata);
        if (!serversAfterLeader) {
            cluster().servers().forEach(this::launchServer);
        }
        try (MetadataView view = viewFactory.apply(metadataAddresses())) {
            if (serversAfterLeader) {
                awaitCondition(deadline, timeout, metadataIds(), "a metadata leader",
                        () -> ClusterObservations.hasLeader(cluster(), view) ? Optional.empty()
                                : Optional.of("the metadata group has no leader yet"));
                cluster().servers().forEach(this::launchServer);
            }
            awaitCondition(deadline, timeout, cluster().memberIds(), "the cluster to be ready",
                    () -> ClusterObservations.readiness(cluster(), view));
        }
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /**
     * Polls {@code check} until it reports no reason, failing early when a watched member's
     * process has exited, and failing with the last reason when the time is up.
     */
    private void awaitCondition(long deadline, Duration timeout, List<String> watched,
            String what, Supplier<Optional<String>> check) {
        Optional<String> reason;
        while (true) {
            for (String id : watched) {
                if (!isRunning(id)) {
                    throw new ClusterException(id + " exited while waiting for " + what
                            + "; last line of " + commands.logFile(id) + ": "
                            + LogTail.lastLine(commands.logFile(id)));
                }
            }
            reason = check.get();
            if (reason.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            pause();
        }
        throw new ClusterException("timed out after " + timeout.toSeconds() + " s waiting for "
                + what + ": " + reason.get() + "; logs are under " + dir);
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for the cluster", e);
        }
    }

    private synchronized void launchMetadata(MetadataMember m) {
        writeClusterConf();
        record(m.id(), ProcessControl.launch(commands.metadata(cluster, m, metadataArgs),
                commands.memberDir(m.id()), commands.logFile(m.id())));
    }

    private synchronized void launchServer(ServerMember s) {
        writeClusterConf();
        record(s.id(), ProcessControl.launch(commands.server(cluster, s, serverArgs),
                commands.memberDir(s.id()), commands.logFile(s.id())));
    }

    /**
     * Writes the cluster file the members start with, unless this launcher already wrote the
     * same contents (it changes only with the metadata members).
     */
    private void writeClusterConf() {
        Map<String, String> conf = cluster.clusterConf();
        if (conf.equals(writtenConf)) {
            return;
        }
        Path file = commands.clusterConf();
        try {
            ClusterConfigFile.write(file, conf);
        } catch (IOException | IllegalArgumentException e) {
            throw new ClusterException("cannot write " + file + ": " + e.getMessage(), e);
        }
        writtenConf = conf;
    }

    private void record(String id, Process process) {
        cluster = cluster.withPid(id, process.pid());
        cluster.write(dir);
        LOG.info("started {} (pid {}), log {}", id, process.pid(), commands.logFile(id));
    }

    private List<ProcessHandle> running(List<String> ids, List<String> stopped) {
        List<ProcessHandle> handles = new ArrayList<>();
        for (String id : ids) {
            ProcessControl.memberProcess(cluster.pidOf(id), id).ifPresent(h -> {
                handles.add(h);
                stopped.add(id);
            });
        }
        return handles;
    }

    /** SIGTERM to each, then SIGKILL to those still running after the grace period. */
    private void terminate(List<ProcessHandle> processes) {
        for (ProcessHandle p : ProcessControl.terminate(processes, stopGrace)) {
            LOG.warn("pid {} did not stop within {} ms; sent SIGKILL", p.pid(),
                    stopGrace.toMillis());
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.warn("cleanup after a failed start failed: {}", e.toString());
        }
    }

    private void requireKnown(String id) {
        if (!cluster().memberIds().contains(id)) {
            throw unknownId(id);
        }
    }

    private ClusterException unknownId(String id) {
        return new ClusterException("unknown member '" + id + "'; valid ids: "
                + describeIds(cluster().memberIds()));
    }

    /** "meta1, meta2, meta3, server1..server7". */
    static String describeIds(List<String> ids) {
        List<String> meta = ids.stream().filter(i -> i.startsWith("meta")).toList();
        List<String> servers = ids.stream().filter(i -> i.startsWith("server")).toList();
        List<String> parts = new ArrayList<>(meta);
        if (servers.size() > 2) {
            parts.add(servers.get(0) + ".." + servers.get(servers.size() - 1));
        } else {
            parts.addAll(servers);
        }
        return String.join(", ", parts);
    }
}
