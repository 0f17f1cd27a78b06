package org.gtstore.metadata.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.util.ExitUtils;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetMapResponse;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.HeartbeatResponse;
import org.gtstore.proto.MemberStatus;
import org.gtstore.proto.MemberStatusRequest;
import org.gtstore.proto.MetadataServiceGrpc.MetadataServiceBlockingStub;
import org.gtstore.proto.PartitionMap;
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
    private static final Duration WAIT = InJvmGroup.WAIT;

    @TempDir
    Path dir;

    private InJvmGroup group;

    @BeforeAll
    static void noSystemExit() {
        ExitUtils.disableSystemExit();
    }

    @AfterEach
    void stopAll() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void mapSurvivesLeaderLossAndRestartedMemberCatchesUpBySnapshot() throws Exception {
        startGroup();
        MetadataServer first = awaitLeader(null);
        for (int i = 1; i <= 3; i++) {
            RegisterResponse r = group.register("server" + i);
            assertEquals(ErrorCode.OK, r.getCode(), r.getMessage());
        }
        for (String id : group.members.keySet()) {
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
        group.stop(oldLeader);
        MetadataServer second = awaitLeader(oldLeader);
        long electedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNs);
        RegisterResponse afterFailover = group.register("server4");
        long writableMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNs);
        LOG.info("leader fail-over: {} closed, {} leading after {} ms, first Register applied "
                + "after {} ms", oldLeader, second.config().id(), electedMs, writableMs);
        assertEquals(ErrorCode.OK, afterFailover.getCode());
        PartitionMap served = afterFailover.getMap();
        assertEquals(before.getEpoch() + 1, served.getEpoch());
        assertEquals(before.getChainsList(), served.getChainsList());
        assertEquals(served.getEpoch(), watch.next().getMap().getEpoch());

        for (int i = 5; i <= 40; i++) {
            assertEquals(ErrorCode.OK, group.register("server" + i).getCode());
        }
        await("leader purged its log past the stopped member").atMost(WAIT).until(() ->
                second.division().getRaftLog().getStartIndex() > oldLeaderApplied + 20);

        MetadataServer restarted = group.restart(oldLeader);
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
            group.register("server" + i);
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
        RegisterResponse reg = group.register("server1");
        HeartbeatRequest beat = HeartbeatRequest.newBuilder().setServerId("server1")
                .setIncarnation(reg.getIncarnation()).build();
        String id = leader.config().id();
        await("a heartbeat answered").atMost(WAIT)
                .until(() -> stub(id).heartbeat(beat).getCode() == ErrorCode.OK);
        long closeNs = System.nanoTime();
        for (String other : new ArrayList<>(group.members.keySet())) {
            if (!other.equals(id)) {
                group.stop(other);
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
        group = InJvmGroup.start(dir, electionMinMs, electionMaxMs);
    }

    private MetadataServer awaitLeader(String notThis) {
        return group.awaitLeader(notThis);
    }

    private MetadataServer anyFollower() {
        return group.anyFollower();
    }

    private PartitionMap map(String memberId) {
        return group.map(memberId);
    }

    private MetadataServiceBlockingStub stub(String memberId) {
        return group.stub(memberId);
    }
}
