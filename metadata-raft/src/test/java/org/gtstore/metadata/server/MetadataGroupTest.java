package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.ExitUtils;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapRequest;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetadataServiceGrpc;
import org.gtstore.proto.MetadataServiceGrpc.MetadataServiceBlockingStub;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.RegisterResponse;
import org.gtstore.proto.ReportUnreachableRequest;
import org.gtstore.proto.ReportUnreachableResponse;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.WatchMapRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real three-member group in one JVM, spoken to only through MetadataService, as data
 * servers and gtctl will. Goal: the map survives the loss of the leader (a new one is elected
 * and serves the same epoch), a restarted member catches up through InstallSnapshot after the
 * leader purged its log, and a server reported unreachable with nothing listening is marked
 * dead well under a second. The leader fail-over time is measured and logged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetadataGroupTest {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataGroupTest.class);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final Map<String, MetadataServer> members = new HashMap<>();
    private final Map<String, MetadataServerConfig> configs = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void noSystemExit() {
        ExitUtils.disableSystemExit();
    }

    @AfterEach
    void stopAll() {
        channels.forEach(ManagedChannel::shutdownNow);
        members.values().forEach(MetadataServer::close);
    }

    @Test
    void mapSurvivesLeaderLossAndRestartedMemberCatchesUpBySnapshot() throws Exception {
        startGroup();
        MetadataServer first = awaitLeader(null);
        for (int i = 1; i <= 3; i++) {
            RegisterResponse r = registerViaAnyMember("server" + i, freePort());
            assertEquals(ErrorCode.OK, r.getCode(), r.getMessage());
        }
        for (String id : members.keySet()) {
            await("assignment on " + id).atMost(WAIT).until(() -> map(id).getChainsCount() == 16);
        }
        PartitionMap before = map(first.config().id());
        assertEquals(before, map(anyFollower().config().id()));
        Iterator<GetMapResponse> watch = stub(anyFollower().config().id())
                .watchMap(WatchMapRequest.newBuilder().setFromEpoch(before.getEpoch()).build());
        assertEquals(before.getEpoch(), watch.next().getMap().getEpoch());

        String oldLeader = first.config().id();
        long oldLeaderApplied = first.division().getInfo().getLastAppliedIndex();
        long closeStartNs = System.nanoTime();
        members.remove(oldLeader).close();
        MetadataServer second = awaitLeader(oldLeader);
        long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNs);
        RegisterResponse afterFailover = registerViaAnyMember("server4", freePort());
        long writableMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNs);
        LOG.info("leader fail-over: {} closed, {} leading after {} ms, first Register applied "
                + "after {} ms", oldLeader, second.config().id(), electedMs, writableMs);
        assertEquals(ErrorCode.OK, afterFailover.getCode());
        PartitionMap served = afterFailover.getMap();
        assertEquals(before.getEpoch() + 1, served.getEpoch());
        assertEquals(before.getChainsList(), served.getChainsList());
        assertEquals(served.getEpoch(), watch.next().getMap().getEpoch());

        for (int i = 5; i <= 40; i++) {
            assertEquals(ErrorCode.OK, registerViaAnyMember("server" + i, freePort()).getCode());
        }
        await("leader purged its log past the stopped member").atMost(WAIT).until(() ->
                second.division().getRaftLog().getStartIndex() > oldLeaderApplied + 20);

        MetadataServer restarted = MetadataServer.start(configs.get(oldLeader));
        members.put(oldLeader, restarted);
        PartitionMap latest = map(second.config().id());
        await("restarted member catches up").atMost(WAIT)
                .until(() -> map(oldLeader).equals(latest));
        assertNotNull(restarted.stateMachine().getLatestSnapshot(),
                "the restarted member should hold the installed snapshot");
        assertTrue(restarted.stateMachine().getLatestSnapshot().getIndex() > oldLeaderApplied,
                "caught up without a snapshot newer than what it had applied");
        assertTrue(restarted.division().getInfo().isAlive(), "division closed after install");
        MemberStatus status = stub(oldLeader).getMemberStatus(
                MemberStatusRequest.getDefaultInstance());
        assertEquals(latest.getEpoch(), status.getMapEpoch());
        assertNotEquals("LEADER", status.getRole());
        assertEquals(ProcessHandle.current().pid(), status.getPid());
    }

    @Test
    void serverReportedUnreachableWithNothingListeningIsDeadWellUnderASecond()
            throws Exception {
        startGroup();
        MetadataServer leader = awaitLeader(null);
        for (int i = 1; i <= 3; i++) {
            registerViaAnyMember("server" + i, freePort());
        }
        await().atMost(WAIT).until(() -> map(leader.config().id()).getChainsCount() == 16);
        long startNs = System.nanoTime();
        ReportUnreachableResponse r = stub(leader.config().id()).reportUnreachable(
                ReportUnreachableRequest.newBuilder().setReporter("test").setServerId("server2")
                        .setDetail("connection refused").build());
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        LOG.info("ReportUnreachable -> MarkDead applied in {} ms", tookMs);
        assertTrue(r.getMarkedDead(), r.toString());
        assertTrue(tookMs < 1000, "took " + tookMs + " ms");
        PartitionMap m = map(leader.config().id());
        assertTrue(m.getServersList().stream().anyMatch(s -> s.getId().equals("server2")
                && s.getState() == ServerState.DEAD));
        m.getChainsList().forEach(c -> assertTrue(!c.getReplicasList().contains("server2")));
    }

    /**
     * A leader whose followers are gone believes it leads until Ratis makes it step down, an
     * election timeout later; the others could elect a new leader meanwhile. Its heartbeat
     * answers grant leases, so none may be OK from the moment it lost its majority.
     */
    @Test
    void aLeaderThatLostItsMajorityGrantsNoLease() throws Exception {
        // Long election timeouts: the leader goes on believing it leads for seconds after its
        // followers are gone, well past the time their close takes.
        startGroup(2000, 6000);
        MetadataServer leader = awaitLeader(null);
        RegisterResponse reg = registerViaAnyMember("server1", freePort());
        HeartbeatRequest beat = HeartbeatRequest.newBuilder().setServerId("server1")
                .setIncarnation(reg.getIncarnation()).build();
        String id = leader.config().id();
        await("a heartbeat answered").atMost(WAIT)
                .until(() -> stub(id).heartbeat(beat).getCode() == ErrorCode.OK);
        long closeNs = System.nanoTime();
        for (String other : new ArrayList<>(members.keySet())) {
            if (!other.equals(id)) {
                members.remove(other).close();
            }
        }
        LOG.info("followers closed in {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeNs));
        int answered = 0;
        int stillLeading = 0;
        for (int i = 0; i < 8; i++) {
            stillLeading += leader.leader().isLeading() ? 1 : 0;
            HeartbeatResponse r = stub(id).heartbeat(beat);
            answered += r.getCode() == ErrorCode.OK ? 1 : 0;
            assertNotEquals(ErrorCode.OK, r.getCode(), "a lease granted without a majority");
            assertNotEquals(leader.config().self().rpcAddress(), r.getLeaderHint());
        }
        LOG.info("heartbeats to a leader without followers: {} of 8 answered; it still"
                + " believed it led when {} of them were sent", answered, stillLeading);
        assertTrue(stillLeading > 0, "the leader stepped down before the first heartbeat");
    }

    private void startGroup() throws IOException {
        startGroup(300, 600);
    }

    private void startGroup(long electionMinMs, long electionMaxMs) throws IOException {
        List<PeerAddress> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            peers.add(new PeerAddress("meta" + i, "127.0.0.1", freePort(), freePort()));
        }
        for (PeerAddress p : peers) {
            MetadataServerConfig c = MetadataServerConfig.builder().id(p.id()).peers(peers)
                    .storageDir(dir.resolve(p.id())).replication(2).partitions(16)
                    .initialServers(3).failureTimeoutMs(60_000).leaseMs(1500)
                    .heartbeatIntervalMs(250).electionTimeoutMinMs(electionMinMs)
                    .electionTimeoutMaxMs(electionMaxMs).leaderTickMs(20)
                    .snapshotThresholdEntries(8)
                    .logSegmentSizeMaxBytes(1024).logPurgeGapEntries(1).build();
            configs.put(p.id(), c);
        }
        for (MetadataServerConfig c : configs.values()) {
            members.put(c.id(), MetadataServer.start(c));
        }
    }

    private MetadataServer awaitLeader(String notThis) {
        return await("a leader other than " + notThis).atMost(WAIT).until(() ->
                members.values().stream().filter(m -> m.leader().isLeading()
                        && !m.config().id().equals(notThis)).findFirst().orElse(null),
                m -> m != null);
    }

    private MetadataServer anyFollower() {
        return members.values().stream().filter(m -> !m.leader().isLeading()).findFirst()
                .orElseThrow();
    }

    /** Registers the way a data server does: ask any member, follow the leader hint. */
    private RegisterResponse registerViaAnyMember(String serverId, int port) {
        String target = members.keySet().iterator().next();
        RegisterRequest req = RegisterRequest.newBuilder().setServerId(serverId)
                .setAddress("127.0.0.1:" + port).setStorageId("disk-" + serverId).build();
        return await("register " + serverId).atMost(WAIT).until(() -> {
            RegisterResponse r = stubFor(anyAddress()).register(req);
            if (r.getCode() == ErrorCode.NOT_LEADER && !r.getLeaderHint().isEmpty()) {
                r = stubFor(r.getLeaderHint()).register(req);
            }
            return r;
        }, r -> r.getCode() == ErrorCode.OK);
    }

    private String anyAddress() {
        return configs.get(members.keySet().iterator().next()).self().rpcAddress();
    }

    private PartitionMap map(String memberId) {
        return stub(memberId).getMap(GetMapRequest.getDefaultInstance()).getMap();
    }

    private MetadataServiceBlockingStub stub(String memberId) {
        return stubFor(configs.get(memberId).self().rpcAddress());
    }

    private final Map<String, ManagedChannel> byAddress = new HashMap<>();

    private MetadataServiceBlockingStub stubFor(String address) {
        ManagedChannel ch = byAddress.computeIfAbsent(address, a -> {
            ManagedChannel c = NettyChannelBuilder.forTarget(a).usePlaintext().build();
            channels.add(c);
            return c;
        });
        return MetadataServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
