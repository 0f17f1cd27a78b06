package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.command.Outcome;
import org.gtstore.metadata.liveness.FakeClock;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.Settings;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader's duties without Ratis: commands go to an in-memory log applied by
 * {@link Commands}, time is fake and the duty executor runs tasks inline, so every step is
 * deterministic.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetadataLeaderTest {

    private final FakeClock clock = new FakeClock();
    private final AtomicReference<ClusterState> state = new AtomicReference<>(ClusterState.EMPTY);
    private final List<MetaCommand> log = new ArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final AtomicReference<ProbeResult> probe = new AtomicReference<>(ProbeResult.NO_ANSWER);
    private final List<String> probed = new ArrayList<>();
    private final MetadataLeader leader = new MetadataLeader("meta-test",
            new MetadataLeader.Options(new Settings(2, 12, 3), 2000, 30_000, 1000, 1000), clock,
            address -> {
                probed.add(address);
                return CompletableFuture.completedFuture(probe.get());
            },
            cmd -> {
                log.add(cmd);
                Outcome o = Commands.apply(state.get(), cmd);
                state.set(o.state());
                return CompletableFuture.completedFuture(o.reply());
            },
            state::get, ready::get, Runnable::run);

    @Test
    void firstLeaderInitializesFromItsFlagsThenWaitsForInitialServers() {
        leader.tick();
        assertEquals(2, state.get().settings().replication());
        register("server1");
        leader.tick();
        assertTrue(leader.notice().startsWith("NOT_ENOUGH_SERVERS"), leader.notice());
        register("server2");
        leader.tick();
        assertFalse(state.get().isAssigned(), "assigned before the initial servers came");
        register("server3");
        leader.tick();
        assertTrue(state.get().isAssigned());
        assertEquals("", leader.notice());
    }

    @Test
    void afterTheBootstrapWaitAssignsWithKServers() {
        leader.tick();
        register("server1");
        register("server2");
        clock.advanceMs(1000);
        keepAlive("server1", "server2");
        leader.tick();
        assertFalse(state.get().isAssigned());
        for (int i = 0; i < 30; i++) {
            clock.advanceMs(1000);
            keepAlive("server1", "server2");
        }
        leader.tick();
        assertTrue(state.get().isAssigned());
    }

    @Test
    void silentServerIsMarkedDeadOnlyAfterTheGraceAndTimeout() {
        assembled();
        clock.advanceMs(1900);
        keepAlive("server1", "server2");
        leader.tick();
        assertEquals(ServerState.ALIVE, serverState("server3"));
        clock.advanceMs(200);
        keepAlive("server1", "server2");
        leader.tick();
        assertEquals(ServerState.DEAD, serverState("server3"));
        assertTrue(log.stream().anyMatch(c -> c.hasMarkDead()
                && c.getMarkDead().getReason().contains("no heartbeat")), log.toString());
    }

    @Test
    void newLeaderGivesGraceBeforeJudging() {
        assembled();
        ready.set(false);
        leader.tick();
        clock.advanceMs(10_000);
        ready.set(true);
        leader.tick();
        assertEquals(ServerState.ALIVE, serverState("server1"), "judged without grace");
        clock.advanceMs(2001);
        leader.tick();
        assertEquals(ServerState.DEAD, serverState("server1"));
    }

    @Test
    void refusedProbeMarksDeadAtOnceButAProbeTimeoutDoesNot() throws Exception {
        assembled();
        probe.set(ProbeResult.NO_ANSWER);
        assertFalse(leader.reportUnreachable("server2", "client-1").get());
        assertEquals(ServerState.ALIVE, serverState("server2"));
        probe.set(ProbeResult.REFUSED);
        assertTrue(leader.reportUnreachable("server2", "client-1").get());
        assertEquals(ServerState.DEAD, serverState("server2"));
        assertEquals(2, probed.size());
        assertTrue(log.stream().anyMatch(c -> c.hasMarkDead()
                && c.getMarkDead().getReason().contains("connection refused")));
    }

    @Test
    void heartbeatFromAStaleIncarnationIsUnknown() {
        assembled();
        register("server1");
        assertEquals(ErrorCode.UNKNOWN_SERVER, heartbeat("server1", 1));
        assertEquals(ErrorCode.OK, heartbeat("server1", 2));
        assertEquals(ErrorCode.UNKNOWN_SERVER, heartbeat("nobody", 1));
    }

    @Test
    void deathIsFollowedByRestoringKOnASpareAndCaughtUpMakesItTail() throws Exception {
        assembled();
        register("server4");
        probe.set(ProbeResult.REFUSED);
        leader.reportUnreachable("server1", "server2").get();
        leader.tick();
        ClusterState s = state.get();
        assertEquals(0, s.underReplicatedCount() - joiningCount(s));
        PartitionChain copying = s.chains().stream().filter(PartitionChain::hasJoining)
                .findFirst().orElseThrow();
        assertEquals(ErrorCode.OK, leader.reportCaughtUp(ReportCaughtUpRequest.newBuilder()
                .setPartition(copying.partition()).setServerId(copying.joining())
                .setMapEpoch(state.get().epoch()).build()).get().getCode());
        assertEquals(copying.joining(), state.get().chain(copying.partition()).tail());
    }

    @Test
    void followerRefusesLeaderRequests() throws Exception {
        ready.set(false);
        leader.tick();
        assertEquals(ErrorCode.NOT_LEADER, leader.register(RegisterRequest.newBuilder()
                .setServerId("server1").setAddress("h:1").build()).get().getCode());
        assertEquals(ErrorCode.NOT_LEADER, heartbeat("server1", 1));
    }

    private static int joiningCount(ClusterState s) {
        return (int) s.chains().stream().filter(PartitionChain::hasJoining).count();
    }

    private void assembled() {
        leader.tick();
        register("server1");
        register("server2");
        register("server3");
        leader.tick();
        assertTrue(state.get().isAssigned());
    }

    private void register(String id) {
        try {
            assertEquals(ErrorCode.OK, leader.register(RegisterRequest.newBuilder()
                    .setServerId(id).setAddress("127.0.0.1:1").setStorageId("disk-" + id)
                    .build()).get().getCode());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void keepAlive(String... ids) {
        for (String id : ids) {
            heartbeat(id, state.get().server(id).orElseThrow().incarnation());
        }
    }

    private ErrorCode heartbeat(String id, long incarnation) {
        return leader.heartbeat(HeartbeatRequest.newBuilder().setServerId(id)
                .setIncarnation(incarnation).build());
    }

    private ServerState serverState(String id) {
        return state.get().server(id).orElseThrow().state();
    }
}
