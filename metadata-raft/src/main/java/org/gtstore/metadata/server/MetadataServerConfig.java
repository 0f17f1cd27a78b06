package org.gtstore.metadata.server;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.gtstore.proto.Durability;
import org.gtstore.proto.MetricsEndpoint;
import org.gtstore.proto.TransportSecurity;

/**
 * Everything one metadata member needs to start, parsed once from the command line (see
 * docs/contracts.md) and checked by {@link #validate()} with plain messages. Every timing knob
 * has its unit in its name; the defaults are the cluster-wide ones of docs/contracts.md.
 * {@code security} covers both ports: the rpc service and Ratis. {@code metrics} is the
 * {@code host:port} of the Prometheus endpoint (port 0: any free one), empty for none.
 */
public record MetadataServerConfig(
        String id,
        List<PeerAddress> peers,
        Path storageDir,
        int replication,
        int partitions,
        int initialServers,
        Durability durability,
        long failureTimeoutMs,
        long leaseMs,
        long heartbeatIntervalMs,
        long electionTimeoutMinMs,
        long electionTimeoutMaxMs,
        long probeTimeoutMs,
        long restartGraceMs,
        long reviveWaitMs,
        int rebalanceMoves,
        long bootstrapWaitMs,
        long leaderTickMs,
        long snapshotThresholdEntries,
        long logSegmentSizeMaxBytes,
        int logPurgeGapEntries,
        boolean join,
        String listenHost,
        TransportSecurity security,
        String metrics) {

    /** Partitions moving between servers at once (rebalancing, drains); 0 turns it off. */
    public static final int DEFAULT_REBALANCE_MOVES = 16;
    /** Data server to leader. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 250;
    /** A data server stops serving when its last answered heartbeat was sent this long ago. */
    public static final long DEFAULT_LEASE_MS = 1500;
    /** The leader marks a silent server dead after this; also a new leader's grace. */
    public static final long DEFAULT_FAILURE_TIMEOUT_MS = 2000;
    /** ReportUnreachable probe deadline: refused means dead, timeout means wait. */
    public static final long DEFAULT_PROBE_TIMEOUT_MS = 300;
    /**
     * How long a data server whose connection is refused may take to restart with its data
     * directory (and keep its chain positions) before it is declared dead; 0: at once.
     */
    public static final long DEFAULT_RESTART_GRACE_MS = 0;
    /**
     * How long a partition whose every replica was declared dead waits, once one of them is back
     * and reported what it holds, for the others (which may hold more) before the best of those
     * back serves it: replicas lost in one power cut come back within about that of each other,
     * and one whose disk died never does.
     */
    public static final long DEFAULT_REVIVE_WAIT_MS = 10_000;
    /** Ratis election timeouts, for 10 JVMs on 2 cores (RATIS.md pitfall 10). */
    public static final long DEFAULT_ELECTION_TIMEOUT_MIN_MS = 300;
    public static final long DEFAULT_ELECTION_TIMEOUT_MAX_MS = 600;
    /** The first assignment goes ahead with at least K servers after this long. */
    public static final long DEFAULT_BOOTSTRAP_WAIT_MS = 30_000;
    /** How often the leader runs its duties (liveness check, assignment, restoring K). */
    public static final long DEFAULT_LEADER_TICK_MS = 50;
    /** Log entries between automatic snapshots. */
    public static final long DEFAULT_SNAPSHOT_THRESHOLD_ENTRIES = 10_000;
    public static final long DEFAULT_LOG_SEGMENT_SIZE_MAX_BYTES = 8L * 1024 * 1024;
    /** Entries a snapshot must cover beyond the log start before the log is purged. */
    public static final int DEFAULT_LOG_PURGE_GAP_ENTRIES = 1024;

    public MetadataServerConfig {
        peers = List.copyOf(peers);
    }

    /** Throws IllegalArgumentException naming the first bad setting and its value. */
    public MetadataServerConfig validate() {
        Objects.requireNonNull(id, "--id is required");
        Objects.requireNonNull(metrics, "--metrics is missing");
        MetricsEndpoint.address(metrics);
        Objects.requireNonNull(storageDir, "--storage-dir is required");
        Objects.requireNonNull(durability, "--durability is required");
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("--peers is empty");
        }
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (PeerAddress p : peers) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException("--peers lists " + p.id() + " twice");
            }
            if (!addresses.add(p.raftAddress()) || !addresses.add(p.rpcAddress())) {
                throw new IllegalArgumentException("--peers uses an address twice: " + p);
            }
        }
        if (!ids.contains(id)) {
            throw new IllegalArgumentException("--id " + id + " is not among --peers " + ids);
        }
        positive("--replication", replication);
        positive("--partitions", partitions);
        if (initialServers < replication) {
            throw new IllegalArgumentException("--initial-servers must be >= --replication: "
                    + initialServers + " < " + replication);
        }
        positive("--heartbeat-interval-ms", heartbeatIntervalMs);
        if (leaseMs <= heartbeatIntervalMs) {
            throw new IllegalArgumentException("--lease-ms must be > --heartbeat-interval-ms: "
                    + leaseMs + " <= " + heartbeatIntervalMs);
        }
        if (leaseMs > failureTimeoutMs - failureTimeoutMs / 10) {
            // The timing rule (docs/contracts.md): a lease runs on the server's clock from the
            // send time of an answered heartbeat; its chains go to others only after the
            // failure timeout on the leader's clock from a later moment. The margin covers
            // clocks that run up to 10% apart.
            throw new IllegalArgumentException("--lease-ms must be at most 90% of"
                    + " --failure-timeout-ms, so that a server's lease surely runs out before"
                    + " its chains may be given to others: " + leaseMs + " > 0.9 * "
                    + failureTimeoutMs);
        }
        positive("--election-timeout-min-ms", electionTimeoutMinMs);
        if (electionTimeoutMaxMs <= electionTimeoutMinMs) {
            throw new IllegalArgumentException("--election-timeout-max-ms must be > "
                    + "--election-timeout-min-ms: " + electionTimeoutMaxMs + " <= "
                    + electionTimeoutMinMs);
        }
        positive("probeTimeoutMs", probeTimeoutMs);
        if (restartGraceMs < 0) {
            throw new IllegalArgumentException("--restart-grace-ms must be >= 0: "
                    + restartGraceMs);
        }
        if (restartGraceMs >= failureTimeoutMs) {
            throw new IllegalArgumentException("--restart-grace-ms must be < --failure-timeout-ms"
                    + " (a silent server is dead after the failure timeout anyway): "
                    + restartGraceMs + " >= " + failureTimeoutMs);
        }
        if (rebalanceMoves < 0) {
            throw new IllegalArgumentException("--rebalance-moves must be >= 0: "
                    + rebalanceMoves);
        }
        if (reviveWaitMs < 0) {
            throw new IllegalArgumentException("--revive-wait-ms must be >= 0: " + reviveWaitMs);
        }
        positive("leaderTickMs", leaderTickMs);
        positive("snapshotThresholdEntries", snapshotThresholdEntries);
        positive("logSegmentSizeMaxBytes", logSegmentSizeMaxBytes);
        positive("logPurgeGapEntries", logPurgeGapEntries);
        if (bootstrapWaitMs < 0) {
            throw new IllegalArgumentException("bootstrapWaitMs < 0: " + bootstrapWaitMs);
        }
        return this;
    }

    /** The host the raft and rpc ports bind to: {@code --listen}, else this member's host. */
    public String bindHost() {
        return listenHost == null || listenHost.isEmpty() ? self().host() : listenHost;
    }

    public PeerAddress self() {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--id " + id
                        + " is not among --peers"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Copies this config into a builder, to change a few settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.peers = peers;
        b.storageDir = storageDir;
        b.replication = replication;
        b.partitions = partitions;
        b.initialServers = initialServers;
        b.durability = durability;
        b.failureTimeoutMs = failureTimeoutMs;
        b.leaseMs = leaseMs;
        b.heartbeatIntervalMs = heartbeatIntervalMs;
        b.electionTimeoutMinMs = electionTimeoutMinMs;
        b.electionTimeoutMaxMs = electionTimeoutMaxMs;
        b.probeTimeoutMs = probeTimeoutMs;
        b.restartGraceMs = restartGraceMs;
        b.reviveWaitMs = reviveWaitMs;
        b.rebalanceMoves = rebalanceMoves;
        b.bootstrapWaitMs = bootstrapWaitMs;
        b.leaderTickMs = leaderTickMs;
        b.snapshotThresholdEntries = snapshotThresholdEntries;
        b.logSegmentSizeMaxBytes = logSegmentSizeMaxBytes;
        b.logPurgeGapEntries = logPurgeGapEntries;
        b.join = join;
        b.listenHost = listenHost;
        b.security = security;
        b.metrics = metrics;
        return b;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** Builds a config; unset timing knobs take the documented defaults. */
    public static final class Builder {
        private String id;
        private List<PeerAddress> peers = List.of();
        private Path storageDir;
        private int replication = 1;
        private int partitions = 1024;
        private int initialServers = 1;
        private Durability durability = Durability.REPLICATED;
        private long failureTimeoutMs = DEFAULT_FAILURE_TIMEOUT_MS;
        private long leaseMs = DEFAULT_LEASE_MS;
        private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
        private long electionTimeoutMinMs = DEFAULT_ELECTION_TIMEOUT_MIN_MS;
        private long electionTimeoutMaxMs = DEFAULT_ELECTION_TIMEOUT_MAX_MS;
        private long probeTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
        private long restartGraceMs = DEFAULT_RESTART_GRACE_MS;
        private long reviveWaitMs = DEFAULT_REVIVE_WAIT_MS;
        private int rebalanceMoves = DEFAULT_REBALANCE_MOVES;
        private long bootstrapWaitMs = DEFAULT_BOOTSTRAP_WAIT_MS;
        private long leaderTickMs = DEFAULT_LEADER_TICK_MS;
        private long snapshotThresholdEntries = DEFAULT_SNAPSHOT_THRESHOLD_ENTRIES;
        private long logSegmentSizeMaxBytes = DEFAULT_LOG_SEGMENT_SIZE_MAX_BYTES;
        private int logPurgeGapEntries = DEFAULT_LOG_PURGE_GAP_ENTRIES;
        private boolean join;
        private String listenHost;
        private TransportSecurity security = TransportSecurity.plaintext();
        private String metrics = "";

        public Builder id(String v) { id = v; return this; }
        public Builder peers(List<PeerAddress> v) { peers = v; return this; }
        public Builder storageDir(Path v) { storageDir = v; return this; }
        public Builder replication(int v) { replication = v; return this; }
        public Builder partitions(int v) { partitions = v; return this; }
        public Builder initialServers(int v) { initialServers = v; return this; }
        public Builder durability(Durability v) { durability = v; return this; }
        public Builder failureTimeoutMs(long v) { failureTimeoutMs = v; return this; }
        public Builder leaseMs(long v) { leaseMs = v; return this; }
        public Builder heartbeatIntervalMs(long v) { heartbeatIntervalMs = v; return this; }
        public Builder electionTimeoutMinMs(long v) { electionTimeoutMinMs = v; return this; }
        public Builder electionTimeoutMaxMs(long v) { electionTimeoutMaxMs = v; return this; }
        public Builder probeTimeoutMs(long v) { probeTimeoutMs = v; return this; }
        public Builder restartGraceMs(long v) { restartGraceMs = v; return this; }
        public Builder reviveWaitMs(long v) { reviveWaitMs = v; return this; }
        public Builder rebalanceMoves(int v) { rebalanceMoves = v; return this; }
        public Builder bootstrapWaitMs(long v) { bootstrapWaitMs = v; return this; }
        public Builder leaderTickMs(long v) { leaderTickMs = v; return this; }
        public Builder snapshotThresholdEntries(long v) {
            snapshotThresholdEntries = v;
            return this;
        }
        public Builder logSegmentSizeMaxBytes(long v) { logSegmentSizeMaxBytes = v; return this; }
        public Builder logPurgeGapEntries(int v) { logPurgeGapEntries = v; return this; }
        public Builder join(boolean v) { join = v; return this; }
        public Builder listenHost(String v) { listenHost = v; return this; }
        public Builder security(TransportSecurity v) { security = v; return this; }
        /** {@code host:port} of the Prometheus endpoint (port 0: any); empty: none. */
        public Builder metrics(String v) { metrics = v; return this; }

        public MetadataServerConfig build() {
            return new MetadataServerConfig(id, peers, storageDir, replication, partitions,
                    initialServers, durability, failureTimeoutMs, leaseMs, heartbeatIntervalMs,
                    electionTimeoutMinMs, electionTimeoutMaxMs, probeTimeoutMs, restartGraceMs,
                    reviveWaitMs, rebalanceMoves, bootstrapWaitMs,
                    leaderTickMs, snapshotThresholdEntries, logSegmentSizeMaxBytes,
                    logPurgeGapEntries, join, listenHost, security, metrics);
        }
    }
}
