package org.gtstore.metadata.server;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.gtstore.metadata.liveness.Clock;
import org.gtstore.metadata.liveness.GrpcServerProber;
import org.gtstore.metadata.model.Settings;
import org.gtstore.metadata.service.LeadershipConfirmer;
import org.gtstore.metadata.service.MetadataGrpcService;
import org.gtstore.metadata.service.MetadataLeader;
import org.gtstore.metadata.statemachine.MetadataStateMachine;
import org.gtstore.proto.GrpcCallMetrics;
import org.gtstore.proto.MetricsEndpoint;
import org.gtstore.proto.TransportSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running metadata member: a Ratis server (the replicated state machine), the
 * MetadataService on the rpc port, and the leader-duty thread. Start with {@link #start};
 * {@link #close} stops all three. A member restarted on the same storage dir recovers its map
 * from its snapshot and log (RECOVER also formats an empty dir).
 */
public final class MetadataServer implements AutoCloseable {

    /** Fixed, so every member and every restart names the same group (and directory). */
    public static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("gtstore-metadata".getBytes(StandardCharsets.UTF_8)));

    private static final Logger LOG = LoggerFactory.getLogger(MetadataServer.class);
    private static final long LOG_CACHE_BYTES_MAX = 32L * 1024 * 1024;
    /**
     * The least time between two FinishCopy commands (see {@link MetadataLeader}): what a
     * gated tail may wait longer for its joining replica to become the tail, against a map
     * epoch per batch of finished copies while K is restored.
     */
    static final long FINISH_COPY_SPACING_MS = 300;
    /**
     * After the first assignment, for this many failure timeouts silence declares nobody dead:
     * every data server then sets up its chains and compiles its hot paths at once, and on two
     * cores their heartbeats were seen 2-4 s late. A refused connection still declares one dead.
     */
    static final long FORMING_GRACE_FAILURE_TIMEOUTS = 5;

    /**
     * The most time between two ConfirmLeadership entries: at most 2 a second however many
     * servers heartbeat (each costs the three members about 16 ms of CPU); see
     * {@link #confirmGapMs}.
     */
    static final long CONFIRM_GAP_MAX_MS = 500;

    /**
     * How long a new member may go without answering the leader while it catches up, before
     * its addition fails: a new JVM on a loaded machine answers slowly at first.
     */
    static final long STAGING_TIMEOUT_MS = 10_000;

    private final MetadataServerConfig config;
    private final MetadataStateMachine stateMachine;
    private final RaftServer raftServer;
    private final ScheduledExecutorService duty;
    private final CountDownLatch closed = new CountDownLatch(1);
    private MetadataLeader leader;
    private LeadershipConfirmer confirmer;
    private LeadershipTransfer transfer;
    private Server grpcServer;
    /** The Prometheus endpoint; null without {@code --metrics}. */
    private MetricsEndpoint metricsEndpoint;
    private final HealthStatusManager health = new HealthStatusManager();
    private ServingStatus healthStatus;
    private RaftServer.Division division;

    private MetadataServer(MetadataServerConfig config, MetadataStateMachine stateMachine,
                           RaftServer raftServer) {
        this.config = config;
        this.stateMachine = stateMachine;
        this.raftServer = raftServer;
        this.duty = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, config.id() + "-leader-duty");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts Ratis, the gRPC service and the leader duties; throws if any fails to start.
     * The first start in a JVM also runs the Raft leader's code once, in the background
     * ({@link LeaderPathWarmup}).
     */
    public static MetadataServer start(MetadataServerConfig config) throws IOException {
        config.validate();
        MetadataStateMachine sm = new MetadataStateMachine(config.id());
        RaftServer raft = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(config.id()))
                .setGroup(group(config)).setProperties(raftProperties(config))
                .setParameters(raftParameters(config.security()))
                .setStateMachine(sm).setOption(RaftStorage.StartupOption.RECOVER).build();
        MetadataServer server = new MetadataServer(config, sm, raft);
        try {
            server.startAll();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LeaderPathWarmup.startOnce(config);
        return server;
    }

    private void startAll() throws IOException {
        raftServer.start();
        RaftServer.Division division = raftServer.getDivision(GROUP_ID);
        RaftMemberView member = new RaftMemberView(config, division, stateMachine);
        Settings initial = new Settings(config.replication(), config.partitions(),
                config.initialServers(), "", config.durability());
        MetadataLeader.Options options = new MetadataLeader.Options(initial,
                config.failureTimeoutMs(), config.bootstrapWaitMs(),
                Math.max(5_000, 10 * config.electionTimeoutMaxMs()), config.restartGraceMs(),
                FINISH_COPY_SPACING_MS, config.reviveWaitMs(),
                FORMING_GRACE_FAILURE_TIMEOUTS * config.failureTimeoutMs(),
                config.rebalanceMoves());
        RaftCommandSubmitter submitter = new RaftCommandSubmitter(raftServer, GROUP_ID,
                division.getId());
        leader = new MetadataLeader(config.id(), options, Clock.system(),
                new GrpcServerProber(config.id(), config.probeTimeoutMs(), config.security()),
                submitter,
                () -> stateMachine.current().state(),
                () -> division.getInfo().isLeader() && division.getInfo().isLeaderReady(),
                duty);
        confirmer = new LeadershipConfirmer(submitter::confirmLeadership, config.leaseMs(),
                confirmGapMs(config.leaseMs(), config.heartbeatIntervalMs()));
        submitter.onCommitted(confirmer::committed);
        transfer = new LeadershipTransfer(config.id(), raftServer, division, confirmer,
                config.heartbeatIntervalMs(), config.electionTimeoutMaxMs());
        RaftMembership membership = new RaftMembership(config, raftServer, division, transfer,
                config.electionTimeoutMaxMs());
        PeerAddress self = config.self();
        PrometheusRegistry registry = new PrometheusRegistry();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(
                config.bindHost(), self.rpcPort()), config.security().serverCredentials());
        if (!config.metrics().isEmpty()) {
            MetadataMetrics.register(registry, division, stateMachine);
            builder.intercept(new GrpcCallMetrics(registry));
        }
        grpcServer = builder
                .intercept(config.security().tokenCheck())
                .addService(new MetadataGrpcService(member, leader,
                        // A slow commit still proves leadership; only an answer later than the
                        // heartbeat's own deadline (the lease) is of no use.
                        confirmer, membership,
                        config.leaseMs(), config.heartbeatIntervalMs()))
                .addService(health.getHealthService())
                .build();
        // gRPC's health manager starts SERVING; this member says so only once it knows a leader.
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
                ServingStatus.NOT_SERVING);
        healthStatus = ServingStatus.NOT_SERVING;
        grpcServer.start();
        if (!config.metrics().isEmpty()) {
            metricsEndpoint = MetricsEndpoint.start(config.metrics(), registry);
            LOG.info("[{}] metrics on port {} ({})", config.id(), metricsEndpoint.port(),
                    config.metrics());
        }
        this.division = division;
        duty.scheduleWithFixedDelay(this::tick, 0, config.leaderTickMs(), TimeUnit.MILLISECONDS);
        warnIfFlagsDiffer();
        warnIfRaftUnguarded();
        LOG.info("[{}] started: raft {} rpc {} storage {}", config.id(), self.raftAddress(),
                self.rpcAddress(), config.storageDir());
    }

    /**
     * The least time between two ConfirmLeadership entries. Each heartbeat's answer waits at
     * most this gap plus one commit; the lease, counted from a heartbeat's send time, must
     * outlast that for the heartbeat sent one interval after the last answered one. Half of
     * what the lease leaves after an interval keeps the other half for the commit and the
     * way back; never more than {@link #CONFIRM_GAP_MAX_MS}.
     */
    static long confirmGapMs(long leaseMs, long heartbeatIntervalMs) {
        return Math.min(CONFIRM_GAP_MAX_MS, (leaseMs - heartbeatIntervalMs) / 2);
    }

    private void tick() {
        try {
            updateHealth();
            transfer.observe();
            leader.tick();
        } catch (RuntimeException e) {
            LOG.error("[{}] leader duty failed; will retry on the next tick", config.id(), e);
        }
    }

    /**
     * The standard health service: SERVING while this member knows a leader of its group (it
     * answers maps and forwards to the leader), NOT_SERVING while the group has none it knows
     * of, and for good once it stops.
     */
    private void updateHealth() {
        ServingStatus now = division.getInfo().getLeaderId() != null ? ServingStatus.SERVING
                : ServingStatus.NOT_SERVING;
        if (now != healthStatus) {
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, now);
            healthStatus = now;
        }
    }

    /**
     * A cluster token guards the rpc port but not Ratis's, which takes commands from anyone
     * who reaches it: say so when that port listens beyond loopback without TLS.
     */
    private void warnIfRaftUnguarded() {
        TransportSecurity s = config.security();
        String host = config.bindHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.")
                || host.equals("::1");
        if (s.hasToken() && !s.tls() && !loopback) {
            LOG.warn("[{}] the cluster token does not guard the Raft port {}:{}: anyone who"
                    + " reaches it can change the metadata; keep that port on a private"
                    + " network, or use TLS (--tls-ca, --tls-cert, --tls-key)", config.id(),
                    host, config.self().raftPort());
        }
    }

    /** The logged settings win over flags on restart; say so when they differ. */
    private void warnIfFlagsDiffer() {
        Settings logged = stateMachine.current().state().settings();
        if (logged != null && (logged.replication() != config.replication()
                || logged.partitions() != config.partitions()
                || logged.durability() != config.durability())) {
            LOG.warn("[{}] flags say K={} partitions={} durability={}, but the cluster was created"
                    + " with {}; the logged settings win", config.id(), config.replication(),
                    config.partitions(), config.durability(), logged);
        }
    }

    public MetadataServerConfig config() {
        return config;
    }

    public MetadataStateMachine stateMachine() {
        return stateMachine;
    }

    public MetadataLeader leader() {
        return leader;
    }

    /** The port of the Prometheus endpoint, or 0 without one. */
    public int metricsPort() {
        return metricsEndpoint == null ? 0 : metricsEndpoint.port();
    }

    public RaftServer.Division division() throws IOException {
        return raftServer.getDivision(GROUP_ID);
    }

    /** Blocks until {@link #close} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops; a leader first hands its leadership to the follower that holds the most of its
     * log ({@link LeadershipTransfer}), so the group has a leader again within a round trip
     * instead of after an election timeout.
     */
    @Override
    public void close() {
        health.enterTerminalState();
        if (transfer != null) {
            transfer.handOver(peer -> true, true);
        }
        duty.shutdownNow();
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        if (grpcServer != null) {
            grpcServer.shutdownNow();
        }
        try {
            raftServer.close();
        } catch (IOException e) {
            LOG.warn("[{}] closing Ratis failed", config.id(), e);
        }
        LOG.info("[{}] stopped", config.id());
        closed.countDown();
    }

    /**
     * The group a member starts with: every member of {@code --peers}, each with its rpc
     * address as its client address ({@link RaftMembership}); none for a member that joins a
     * running group, which learns the group from the leader. Once the storage holds a
     * configuration, Ratis uses that instead.
     */
    static RaftGroup group(MetadataServerConfig config) {
        if (config.join()) {
            return RaftGroup.valueOf(GROUP_ID);
        }
        List<RaftPeer> peers = new ArrayList<>();
        for (PeerAddress p : config.peers()) {
            peers.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress())
                    .setClientAddress(p.rpcAddress()).build());
        }
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    /**
     * Ratis's TLS: with mutual TLS on, its server, admin and client ports all take the
     * member's certificate and trust only the CA's (Ratis verifies a peer's certificate names
     * the peer's raft host). A cluster token does not reach Ratis: its port must stay private.
     */
    static Parameters raftParameters(TransportSecurity security) {
        Parameters parameters = new Parameters();
        if (security.tls()) {
            GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(
                    security.keyFile().orElseThrow().toFile(),
                    security.certFile().orElseThrow().toFile(),
                    security.caFile().orElseThrow().toFile(), true));
        }
        return parameters;
    }

    static RaftProperties raftProperties(MetadataServerConfig config) {
        return raftProperties(config, config.storageDir(), config.bindHost(),
                config.self().raftPort());
    }

    /** The member's Raft settings with its storage and Raft port somewhere else. */
    static RaftProperties raftProperties(MetadataServerConfig config, Path storage,
            String host, int port) {
        RaftProperties props = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(props, List.of(storage.toFile()));
        GrpcConfigKeys.Server.setHost(props, host);
        GrpcConfigKeys.Server.setPort(props, port);
        RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(
                config.electionTimeoutMinMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(
                config.electionTimeoutMaxMs(), TimeUnit.MILLISECONDS));
        // A leader that stepped down for want of a majority's answers stays out of elections
        // this long (Ratis's default is 10 s). Here that happens to a new leader whose first
        // moments outlast the election timeout (a hand-over on a loaded machine): its log is
        // then the newest, so no other member can win, and the group had no leader for 10 s
        // while every data server's lease ran out. One election timeout keeps the pause short.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(props, TimeDuration.valueOf(
                config.electionTimeoutMaxMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props,
                config.snapshotThresholdEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setPurgeGap(props, config.logPurgeGapEntries());
        SizeInBytes segment = SizeInBytes.valueOf(config.logSegmentSizeMaxBytes());
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, segment);
        RaftServerConfigKeys.Log.setPreallocatedSize(props, SizeInBytes.valueOf(
                Math.min(config.logSegmentSizeMaxBytes(), 4L * 1024 * 1024)));
        // The log cache defaults (6 segments, 200 MB) exceed the old generation of a 256 MB
        // heap (RATIS.md pitfall 13): cap it so cached entries cannot push SerialGC into full
        // collections. A follower that falls behind is then fed from disk, which is fine for a
        // log of a few commands per second.
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(props, 2);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(props, SizeInBytes.valueOf(
                LOG_CACHE_BYTES_MAX));
        // Retry a down follower every 100 ms forever, so a restarted member rejoins quickly
        // (RATIS.md pitfall 7).
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(props, "1ms,10, 100ms,1000000");
        RaftServerConfigKeys.setStagingTimeout(props, TimeDuration.valueOf(STAGING_TIMEOUT_MS,
                TimeUnit.MILLISECONDS));
        return props;
    }
}
