package org.gtstore.metadata.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.gtstore.metadata.command.Commands;
import org.gtstore.metadata.liveness.FakeClock;
import org.gtstore.metadata.liveness.ServerProber.ProbeResult;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.metadata.model.Settings;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.HeartbeatRequest;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.MetaCommandReply;
import org.gtstore.proto.RegisterRequest;
import org.gtstore.proto.ReportCaughtUpRequest;
import org.gtstore.proto.ServerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's duties without Ratis: commands go to an in-memory log applied by
 * {@link Commands}, time is fake and the duty executor is a queue the test runs in order
 * ({@link #runDuty()}), so every step is deterministic.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetadataLeaderTest {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataLeaderTest.class);

    private final FakeClock clock = new FakeClock();
    private final InstantLog instant = new InstantLog(ClusterState.EMPTY);
    private final AtomicReference<ClusterState> state = instant.state;
    private final List<MetaCommand> log = instant.log;
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final AtomicReference<ProbeResult> probe = new AtomicReference<>(ProbeResult.NO_ANSWER);
    private final List<String> probed = new ArrayList<>();
    private final ArrayDeque<Runnable> duty = instant.duty;
    /** Runs as each command is submitted, before it applies: time passing during a command. */
    private Consumer<MetaCommand> whileSubmitting = cmd -> { };
    /** While true, commands wait in {@link #slowLog} instead of applying (a slow log). */
    private boolean logIsSlow;
    private final List<Runnable> slowLog = new ArrayList<>();
    /** Processes started by {@link #register(String)}, each with its own process id. */
    private int processes;
    private MetadataLeader leader = newLeader(new Settings(2, 12, 3));

    private MetadataLeader newLeader(Settings settings) {
        return newLeader(settings, 0);
    }

    private MetadataLeader newLeader(Settings settings, long restartGraceMs) {
        return newLeader(settings, restartGraceMs, 1000);
    }

    private MetadataLeader newLeader(Settings settings, long restartGraceMs,
                                     long commandTimeoutMs) {
        return newLeader(settings, restartGraceMs, commandTimeoutMs, 0);
    }

    private MetadataLeader newLeader(Settings settings, long restartGraceMs,
                                     long commandTimeoutMs, long finishSpacingMs) {
        return newLeader(settings, restartGraceMs, commandTimeoutMs, finishSpacingMs, 0);
    }

    private MetadataLeader newLeader(Settings settings, long restartGraceMs,
                                     long commandTimeoutMs, long finishSpacingMs,
                                     int rebalanceMoves) {
        return new MetadataLeader("meta-test",
                new MetadataLeader.Options(settings, 2000, 30_000, commandTimeoutMs,
                        restartGraceMs, finishSpacingMs, 10_000, 0, rebalanceMoves), clock,
                address -> {
                    probed.add(address);
                    return CompletableFuture.completedFuture(probe.get());
                },
                cmd -> {
                    whileSubmitting.accept(cmd);
                    if (logIsSlow) {
                        CompletableFuture<MetaCommandReply> later = new CompletableFuture<>();
                        slowLog.add(() -> later.complete(applyNow(cmd)));
                        return later;
                    }
                    return CompletableFuture.completedFuture(applyNow(cmd));
                },
                state::get, ready::get, duty::add);
    }

    private MetaCommandReply applyNow(MetaCommand cmd) {
        return instant.apply(cmd);
    }

    private void runDuty() {
        instant.runDuty();
    }

    /** A tick on the duty thread: after the tasks queued before it, and their follow-ups. */
    private void tick() {
        runDuty();
        leader.tick();
        runDuty();
    }

    /** Lets the duty thread run, then takes the result. */
    private <T> T await(CompletableFuture<T> f) throws Exception {
        runDuty();
        return f.get();
    }

    @Test
    void firstLeaderInitializesFromItsFlagsThenWaitsForInitialServers() {
        tick();
        assertEquals(2, state.get().settings().replication());
        java.util.UUID.fromString(state.get().settings().clusterId());
        register("server1");
        tick();
        assertTrue(leader.notice().startsWith("NOT_ENOUGH_SERVERS"), leader.notice());
        register("server2");
        tick();
        assertFalse(state.get().isAssigned(), "assigned before the initial servers came");
        register("server3");
        tick();
        assertTrue(state.get().isAssigned());
        assertEquals("", leader.notice());
    }

    @Test
    void afterTheBootstrapWaitAssignsWithKServers() {
        tick();
        register("server1");
        register("server2");
        clock.advanceMs(1000);
        keepAlive("server1", "server2");
        tick();
        assertFalse(state.get().isAssigned());
        for (int i = 0; i < 30; i++) {
            clock.advanceMs(1000);
            keepAlive("server1", "server2");
        }
        tick();
        assertTrue(state.get().isAssigned());
    }

    @Test
    void aStoppingServerIsDeclaredGoneAtOnceUnlessARestartGraceKeepsIt() throws Exception {
        assembled();
        long inc = state.get().server("server2").orElseThrow().incarnation();
        assertEquals(ErrorCode.UNKNOWN_SERVER,
                await(leader.leave("server2", inc + 1)).getCode());
        assertEquals(ErrorCode.UNKNOWN_SERVER, await(leader.leave("server9", 1)).getCode());
        assertEquals(ServerState.ALIVE, serverState("server2"));
        assertEquals(ErrorCode.OK, await(leader.leave("server2", inc)).getCode());
        assertEquals(ServerState.DEAD, serverState("server2"));
        assertTrue(state.get().chains().stream().noneMatch(c -> c.contains("server2")));
        assertEquals(ErrorCode.UNKNOWN_SERVER, await(leader.leave("server2", inc)).getCode());

        leader = newLeader(new Settings(2, 12, 3), 1500);
        state.set(org.gtstore.metadata.model.ClusterState.EMPTY);
        assembled();
        long inc3 = state.get().server("server3").orElseThrow().incarnation();
        assertEquals(ErrorCode.OK, await(leader.leave("server3", inc3)).getCode());
        assertEquals(ServerState.ALIVE, serverState("server3"), "the restart grace decides");
    }

    @Test
    void silentServerIsMarkedDeadOnlyAfterTheGraceAndTimeout() {
        assembled();
        clock.advanceMs(1900);
        keepAlive("server1", "server2");
        tick();
        assertEquals(ServerState.ALIVE, serverState("server3"));
        clock.advanceMs(200);
        keepAlive("server1", "server2");
        tick();
        assertEquals(ServerState.DEAD, serverState("server3"));
        assertTrue(log.stream().anyMatch(c -> c.hasMarkDead()
                && c.getMarkDead().getReason().contains("no heartbeat")), log.toString());
    }

    @Test
    void serverHeardWhileAnEarlierMarkDeadAppliesIsNotMarkedDead() {
        // Goal: the servers found silent in one tick are judged one at a time, each against
        // liveness as it is right before its MarkDead is submitted. Under load one MarkDead
        // took a second to apply, and a server that heartbeated in that second was marked dead
        // from the list computed before (seen: server5 dead 1 s after server2 although it had
        // heartbeated 770 ms before).
        leader = newLeader(new Settings(2, 12, 4));
        tick();
        for (int i = 1; i <= 4; i++) {
            register("server" + i);
        }
        tick();
        clock.advanceMs(2100);
        keepAlive("server1", "server2");
        whileSubmitting = cmd -> {
            if (cmd.hasMarkDead() && cmd.getMarkDead().getServerId().equals("server3")) {
                clock.advanceMs(1000);
                assertEquals(ErrorCode.OK, heartbeat("server4", 1));
            }
        };
        tick();
        assertEquals(ServerState.DEAD, serverState("server3"));
        assertEquals(ServerState.ALIVE, serverState("server4"), "heard 0 ms before its turn");
        assertEquals(1, log.stream().filter(MetaCommand::hasMarkDead).count(), log.toString());
    }

    @Test
    void heartbeatOfAServerWhoseMarkDeadIsUnderWayGetsNoLease() {
        // Goal: fencing holds across the verdict. A heartbeat that reaches the leader after it
        // found the server silent, while the MarkDead applies, is not answered OK: that answer
        // would extend the server's lease past the moment its chains go to others.
        assembled();
        clock.advanceMs(2100);
        keepAlive("server1", "server2");
        AtomicReference<ErrorCode> answer = new AtomicReference<>();
        whileSubmitting = cmd -> {
            if (cmd.hasMarkDead()) {
                answer.set(heartbeat("server3", 1));
            }
        };
        tick();
        assertEquals(ErrorCode.UNAVAILABLE, answer.get());
        assertEquals(ServerState.DEAD, serverState("server3"));
        assertEquals(ErrorCode.UNKNOWN_SERVER, heartbeat("server3", 1));
    }

    @Test
    void newLeaderGivesGraceBeforeJudging() {
        assembled();
        ready.set(false);
        tick();
        clock.advanceMs(10_000);
        ready.set(true);
        tick();
        assertEquals(ServerState.ALIVE, serverState("server1"), "judged without grace");
        clock.advanceMs(2001);
        tick();
        assertEquals(ServerState.DEAD, serverState("server1"));
    }

    @Test
    void refusedProbeMarksDeadAtOnceButAProbeTimeoutDoesNot() throws Exception {
        assembled();
        probe.set(ProbeResult.NO_ANSWER);
        assertFalse(await(leader.reportUnreachable("server2", "client-1")));
        assertEquals(ServerState.ALIVE, serverState("server2"));
        probe.set(ProbeResult.REFUSED);
        assertTrue(await(leader.reportUnreachable("server2", "client-1")));
        assertEquals(ServerState.DEAD, serverState("server2"));
        assertEquals(2, probed.size());
        assertTrue(log.stream().anyMatch(c -> c.hasMarkDead()
                && c.getMarkDead().getReason().contains("connection refused")));
    }

    @Test
    void serverRestartedWithinItsRestartGraceKeepsItsChainPositions() throws Exception {
        leader = newLeader(new Settings(2, 12, 3), 1500);
        assembled();
        List<PartitionChain> before = state.get().chains();
        probe.set(ProbeResult.REFUSED);
        assertFalse(await(leader.reportUnreachable("server2", "client-1")));
        clock.advanceMs(1000);
        keepAlive("server1", "server3");
        assertFalse(await(leader.reportUnreachable("server2", "server1")));
        assertEquals(ServerState.ALIVE, serverState("server2"));
        register("server2");    // the new process, same data dir, incarnation 2
        clock.advanceMs(1000);
        keepAlive("server1", "server2", "server3");
        tick();
        assertEquals(2, state.get().server("server2").orElseThrow().incarnation());
        assertEquals(ServerState.ALIVE, serverState("server2"));
        assertEquals(before.stream().map(PartitionChain::replicas).toList(),
                state.get().chains().stream().map(PartitionChain::replicas).toList());
        for (PartitionChain c : state.get().chains()) {
            assertEquals(c.head().equals("server2"), c.settling(), "settles what it heads: " + c);
        }
        assertTrue(log.stream().noneMatch(MetaCommand::hasMarkDead), log.toString());
    }

    @Test
    void aSecondProcessGivenALiveServersIdIsRefusedAndChangesNothing() throws Exception {
        // Goal: a host started by mistake with server2's id (another address, another disk)
        // while server2 is alive would take it out of every chain; it is refused instead. A
        // wiped disk back at server2's own address is server2 restarting, and is taken.
        assembled();
        long epoch = state.get().epoch();
        List<PartitionChain> chains = state.get().chains();
        MetaCommandReply r = await(leader.register(registerRequest("server2", 0).toBuilder()
                .setAddress("10.0.0.9:7100").setStorageId("disk-elsewhere")
                .setProcessId("proc-elsewhere").build()));
        assertEquals(ErrorCode.ID_IN_USE, r.getCode(), r.getMessage());
        assertTrue(r.getMessage().contains("give it another --id"), r.getMessage());
        assertEquals(epoch, state.get().epoch(), "nothing changed");
        assertEquals(chains, state.get().chains());
        assertEquals(ErrorCode.OK, await(leader.register(registerRequest("server2", 0)
                .toBuilder().setStorageId("disk-wiped").setProcessId("proc-wiped").build()))
                .getCode());
    }

    @Test
    void serverRefusedForItsWholeRestartGraceIsMarkedDeadByTheLastProbe() throws Exception {
        leader = newLeader(new Settings(2, 12, 3), 1500);
        assembled();
        probe.set(ProbeResult.REFUSED);
        assertFalse(await(leader.reportUnreachable("server2", "client-1")));
        clock.advanceMs(1499);
        keepAlive("server1", "server3");
        tick();
        assertEquals(ServerState.ALIVE, serverState("server2"));
        assertEquals(1, probed.size());
        clock.advanceMs(1);
        tick();
        assertEquals(2, probed.size(), "no last probe at the end of the grace");
        assertEquals(ServerState.DEAD, serverState("server2"));
        assertTrue(log.stream().anyMatch(c -> c.hasMarkDead()
                && c.getMarkDead().getReason().contains("restart grace")), log.toString());
    }

    @Test
    void serverAnsweringTheLastProbeOfItsGraceIsLeftToTheFailureTimeout() throws Exception {
        leader = newLeader(new Settings(2, 12, 3), 1500);
        assembled();
        probe.set(ProbeResult.REFUSED);
        assertFalse(await(leader.reportUnreachable("server2", "client-1")));
        probe.set(ProbeResult.NO_ANSWER);
        clock.advanceMs(1500);
        keepAlive("server1", "server2", "server3");
        tick();
        assertEquals(ServerState.ALIVE, serverState("server2"));
        assertTrue(log.stream().noneMatch(MetaCommand::hasMarkDead), log.toString());
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
        PartitionChain copying = aCopyAfterServer1Died();
        ClusterState s = state.get();
        assertEquals(0, s.underReplicatedCount() - joiningCount(s));
        CompletableFuture<MetaCommandReply> reply = caughtUp(copying);
        runDuty();
        assertTrue(reply.isDone(), "a report does not wait for the next tick");
        assertEquals(ErrorCode.OK, await(reply).getCode());
        assertEquals(copying.joining(), state.get().chain(copying.partition()).tail());
        long epoch = state.get().epoch();
        CompletableFuture<MetaCommandReply> retried = leader.reportCaughtUp(
                ReportCaughtUpRequest.newBuilder().setPartition(copying.partition())
                        .setServerId(copying.joining()).setMapEpoch(s.epoch()).build());
        assertEquals(ErrorCode.OK, await(retried).getCode(), "a retry after success is OK");
        tick();
        assertEquals(epoch, state.get().epoch(), "a retry changes nothing");
    }

    @Test
    void reportAboutAnEarlierProcessOfTheJoiningReplicaIsRefused() throws Exception {
        // Goal: the joining replica restarted (in place, keeping its joining position) after
        // the tail's report was sent: its store may have lost what the old process applied.
        PartitionChain copying = aCopyAfterServer1Died();
        long now = state.get().server(copying.joining()).orElseThrow().incarnation();
        CompletableFuture<MetaCommandReply> stale = caughtUp(copying, state.get().epoch(),
                now - 1);
        assertEquals(ErrorCode.EPOCH_MISMATCH, await(stale).getCode());
        assertEquals(copying.joining(), state.get().chain(copying.partition()).joining());
        assertEquals(ErrorCode.OK, await(caughtUp(copying)).getCode());
    }

    /**
     * Goal: one dead server of 7 (1024 partitions, K=3) costs a constant number of map epochs,
     * not one per partition: MarkDead and one StartCopy batch in the tick that finds it silent,
     * then one FinishCopy per burst of reports arriving together (two waves here). Every epoch is a
     * full map pushed to every data server and watcher. Before batching: 879 epochs.
     */
    @Test
    void oneDeathAmongSevenServersCostsAConstantNumberOfEpochs() throws Exception {
        leader = newLeader(new Settings(3, 1024, 7));
        tick();
        List<String> others = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            register("server" + i);
            if (i != 4) {
                others.add("server" + i);
            }
        }
        tick();
        long assignedAt = state.get().epoch();
        clock.advanceMs(2100);
        keepAlive(others.toArray(String[]::new));
        tick();
        ClusterState s = state.get();
        assertEquals(ServerState.DEAD, serverState("server4"));
        assertEquals(assignedAt + 2, s.epoch(), "MarkDead plus one StartCopy batch");
        List<PartitionChain> joining = s.chains().stream().filter(PartitionChain::hasJoining)
                .toList();
        assertEquals(s.underReplicatedCount(), joining.size(), "every short chain is copying");
        assertTrue(joining.size() >= 1024 * 3 / 7, "copies: " + joining.size());

        List<CompletableFuture<MetaCommandReply>> replies = new ArrayList<>();
        int half = joining.size() / 2;
        joining.subList(0, half).forEach(c -> replies.add(caughtUp(c, s.epoch())));
        tick();
        // Reported at the StartCopy epoch: the first FinishCopy did not touch these chains.
        joining.subList(half, joining.size()).forEach(c -> replies.add(caughtUp(c, s.epoch())));
        tick();
        for (CompletableFuture<MetaCommandReply> r : replies) {
            assertEquals(ErrorCode.OK, await(r).getCode(), await(r).getMessage());
        }
        ClusterState end = state.get();
        LOG.info("one death of 7 servers, 1024 partitions, K=3: {} epochs", end.epoch()
                - assignedAt);
        assertEquals(assignedAt + 4, end.epoch(), "MarkDead, StartCopy, two FinishCopy");
        assertEquals(0, end.underReplicatedCount());
        assertEquals(0, joiningCount(end));
        Map<String, Integer> slots = new TreeMap<>();
        end.chains().forEach(c -> c.replicas().forEach(id -> slots.merge(id, 1, Integer::sum)));
        assertEquals(others, new ArrayList<>(slots.keySet()));
        int min = slots.values().stream().min(Integer::compare).orElseThrow();
        int max = slots.values().stream().max(Integer::compare).orElseThrow();
        assertTrue(max - min <= 1, "unbalanced memberships " + slots);
    }

    @Test
    void caughtUpReportsArrivingTogetherAreFinishedInOneCommandWithoutWaitingForATick()
            throws Exception {
        // Goal: a gated tail waits for its joining replica on every write until FinishCopy, so
        // reports are not held for the next tick (behind MarkDead and StartCopy); those queued
        // on the duty thread together still cost one FinishCopy, and a later one its own.
        leader = newLeader(new Settings(3, 64, 4));
        List<PartitionChain> joining = fourthServerDiedAndCopiesStarted();
        ClusterState s = state.get();
        assertTrue(joining.size() >= 3, "copies: " + joining.size());
        List<CompletableFuture<MetaCommandReply>> together = new ArrayList<>();
        for (PartitionChain c : joining.subList(0, joining.size() - 1)) {
            together.add(caughtUp(c, s.epoch()));
        }
        long before = state.get().epoch();
        runDuty();
        for (CompletableFuture<MetaCommandReply> r : together) {
            assertTrue(r.isDone(), "answered without a tick");
            assertEquals(ErrorCode.OK, r.get().getCode(), r.get().getMessage());
        }
        assertEquals(before + 1, state.get().epoch(), "one FinishCopy for the reports together");
        CompletableFuture<MetaCommandReply> late = caughtUp(joining.get(joining.size() - 1),
                s.epoch());
        assertEquals(ErrorCode.OK, await(late).getCode());
        assertEquals(before + 2, state.get().epoch());
        assertEquals(2, log.stream().filter(MetaCommand::hasFinishCopy).count());
    }

    @Test
    void finishCopiesAreSpacedSoRestoringKCostsFewEpochs() throws Exception {
        // Goal: restoring K finishes hundreds of copies in a second or two; with a spacing,
        // reports arriving within it wait for the next tick after it and share one FinishCopy,
        // instead of one epoch (pushed to every server and client) per report.
        leader = newLeader(new Settings(3, 64, 4), 0, 1000, 300);
        List<PartitionChain> joining = fourthServerDiedAndCopiesStarted();
        ClusterState s = state.get();
        assertTrue(joining.size() >= 4, "copies: " + joining.size());
        long before = state.get().epoch();
        assertEquals(ErrorCode.OK, await(caughtUp(joining.get(0), s.epoch())).getCode(),
                "the first report goes at once");
        assertEquals(before + 1, state.get().epoch());
        List<CompletableFuture<MetaCommandReply>> later = new ArrayList<>();
        for (PartitionChain c : joining.subList(1, 4)) {
            later.add(caughtUp(c, s.epoch()));
            runDuty();
            clock.advanceMs(50);
            tick();
        }
        assertEquals(before + 1, state.get().epoch(), "within 300 ms of the first");
        later.forEach(r -> assertFalse(r.isDone(), "answered before its FinishCopy"));
        clock.advanceMs(150);
        tick();
        assertEquals(before + 2, state.get().epoch(), "the three later reports in one epoch");
        for (CompletableFuture<MetaCommandReply> r : later) {
            assertEquals(ErrorCode.OK, r.get().getCode(), r.get().getMessage());
        }
        for (PartitionChain c : joining.subList(0, 4)) {
            assertFalse(state.get().chain(c.partition()).hasJoining(), "still joining: " + c);
        }
    }

    @Test
    void serversFoundSilentInOneTickCostOneMarkDeadEachAndOneStartCopy() {
        leader = newLeader(new Settings(3, 1024, 7));
        tick();
        for (int i = 1; i <= 7; i++) {
            register("server" + i);
        }
        tick();
        long assignedAt = state.get().epoch();
        clock.advanceMs(2100);
        keepAlive("server1", "server3", "server4", "server6", "server7");
        tick();
        ClusterState s = state.get();
        assertEquals(assignedAt + 3, s.epoch(), "two MarkDead plus one StartCopy batch");
        assertEquals(2, log.stream().filter(MetaCommand::hasMarkDead).count());
        assertEquals(1, log.stream().filter(MetaCommand::hasStartCopy).count());
        for (PartitionChain c : s.chains()) {
            assertTrue(c.replicas().size() == 3 || c.hasJoining(), "not copying: " + c);
        }
    }

    @Test
    void reportThatWentStaleBeforeTheTickIsAnsweredAndLeftOutOfTheBatch() throws Exception {
        assembled();
        register("server4");
        probe.set(ProbeResult.REFUSED);
        await(leader.reportUnreachable("server1", "client-1"));
        tick();
        ClusterState s = state.get();
        PartitionChain onServer2 = s.chains().stream().filter(c -> c.hasJoining()
                && c.replicas().equals(List.of("server2"))).findFirst().orElseThrow();
        PartitionChain onServer3 = s.chains().stream().filter(c -> c.hasJoining()
                && c.replicas().equals(List.of("server3"))).findFirst().orElseThrow();
        CompletableFuture<MetaCommandReply> stale = caughtUp(onServer2, s.epoch());
        CompletableFuture<MetaCommandReply> fresh = caughtUp(onServer3, s.epoch());
        await(leader.reportUnreachable("server2", "client-1"));
        tick();
        assertEquals(ErrorCode.EPOCH_MISMATCH, await(stale).getCode());
        assertEquals(ErrorCode.OK, await(fresh).getCode());
        assertTrue(state.get().chain(onServer2.partition()).isUnavailable());
        assertEquals(onServer3.joining(), state.get().chain(onServer3.partition()).tail());
    }

    @Test
    void pendingReportsAreAnsweredNotLeaderWhenLeadershipIsLost() throws Exception {
        PartitionChain copying = aCopyAfterServer1Died();
        CompletableFuture<MetaCommandReply> reply = caughtUp(copying);
        duty.poll().run();
        assertEquals(1, duty.size(), "the report is taken; its FinishCopy task is queued");
        ready.set(false);
        leader.tick();
        assertEquals(ErrorCode.NOT_LEADER, await(reply).getCode());
        assertFalse(log.stream().anyMatch(MetaCommand::hasFinishCopy), "a former leader");
        assertEquals(copying.joining(), state.get().chain(copying.partition()).joining());
    }

    @Test
    void registersRepeatedByAServerDeclaredDeadCostOneIncarnationAndOneEpoch() throws Exception {
        // Goal: no re-registration storm. A server declared dead sent a Register for every
        // heartbeat refused while its first Register waited on the duty thread, and each was a
        // new incarnation and a new map epoch (server2 re-registered 5 times in one log). The
        // repeats carry the incarnation the process holds, so they get the live registration.
        assembled();
        probe.set(ProbeResult.REFUSED);
        await(leader.reportUnreachable("server2", "client-1"));
        assertEquals(ServerState.DEAD, serverState("server2"));
        long before = state.get().epoch();
        List<CompletableFuture<MetaCommandReply>> storm = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            storm.add(leader.register(registerRequest("server2", 1)));
        }
        runDuty();
        for (CompletableFuture<MetaCommandReply> r : storm) {
            assertEquals(ErrorCode.OK, r.get().getCode(), r.get().getMessage());
            assertEquals(2, r.get().getIncarnation());
        }
        assertEquals(before + 1, state.get().epoch(), "one RegisterServer for the five");
        assertEquals(ErrorCode.OK, heartbeat("server2", 2));
        MetaCommandReply repeat = await(leader.register(registerRequest("server2", 2)));
        assertEquals(2, repeat.getIncarnation(), "its own live incarnation: the same answer");
        assertEquals(before + 1, state.get().epoch());

        MetaCommandReply restarted = await(leader.register(registerRequest("server2", 0)
                .toBuilder().setProcessId("proc-server2-restarted").build()));
        assertEquals(3, restarted.getIncarnation(), "a new process is a new incarnation");
        MetaCommandReply otherDisk = await(leader.register(registerRequest("server2", 3)
                .toBuilder().setStorageId("wiped").build()));
        assertEquals(4, otherDisk.getIncarnation(), "another disk is another server");
        assertEquals(before + 3, state.get().epoch());
    }

    @Test
    void retryOfARegisterThatTimedOutButAppliedGetsThatRegistration() throws Exception {
        // Goal: one process, one incarnation. The leader answers TIMEOUT when RegisterServer
        // outlasts its command timeout, but the command stays in the log and applies later;
        // the process never learned that incarnation and retries holding 0. Its process id
        // says it is the same process, so it must not get a second incarnation and epoch.
        RegisterRequest first = registerTimedOutThenApplied();
        long epoch = state.get().epoch();
        MetaCommandReply retry = await(leader.register(first));
        assertEquals(ErrorCode.OK, retry.getCode(), retry.getMessage());
        assertEquals(1, retry.getIncarnation(), "the registration its first Register made");
        assertEquals(epoch, state.get().epoch(), "no new epoch: " + state.get().cause());
        assertEquals(ErrorCode.OK, heartbeat("server4", 1));

        MetaCommandReply restarted = await(leader.register(registerRequest("server4", 0)
                .toBuilder().setProcessId("proc-server4-restarted").build()));
        assertEquals(2, restarted.getIncarnation(), "a new process is a new incarnation");
        assertEquals(epoch + 1, state.get().epoch());
    }

    @Test
    void registerThatTimedOutButAppliedIsNotFoundSilentBeforeItsRetry() throws Exception {
        // Goal: the leader heard the process when it sent the Register, whatever the answer.
        // If only an OK answer counted as hearing it, the first tick after the command applied
        // would judge the new incarnation silent since the leader's grace started (long before
        // it registered) and mark it dead before its retry could arrive.
        RegisterRequest first = registerTimedOutThenApplied();
        clock.advanceMs(250);       // the retry waits a back-off; ticks come meanwhile
        keepAlive("server1", "server2", "server3");
        tick();
        assertEquals(ServerState.JOINING, serverState("server4"), state.get().cause());
        assertEquals(ErrorCode.OK, await(leader.register(first)).getCode());
        assertEquals(1, state.get().server("server4").orElseThrow().incarnation());
    }

    @Test
    void retryRefusedBecauseItsFirstRegisterAppliedMeanwhileGetsThatRegistration()
            throws Exception {
        // Goal: a retry that reaches the leader while the timed-out command is still in the
        // log proposes the same incarnation again; the first command applies, the second is
        // refused (incarnation not newer), and the retry is answered with the registration its
        // process made, not with the refusal (which only sent it round once more).
        leader = newLeader(new Settings(2, 12, 3), 0, 20);
        assembled();
        logIsSlow = true;
        RegisterRequest first = registerRequest("server4", 0);
        assertEquals(ErrorCode.TIMEOUT, await(leader.register(first)).getCode());
        logIsSlow = false;
        whileSubmitting = cmd -> {
            slowLog.forEach(Runnable::run);     // the first command applies just before
            slowLog.clear();
        };
        long epoch = state.get().epoch();
        MetaCommandReply retry = await(leader.register(first));
        assertEquals(ErrorCode.OK, retry.getCode(), retry.getMessage());
        assertEquals(1, retry.getIncarnation());
        assertEquals(epoch + 1, state.get().epoch(), "one RegisterServer applied");
        assertEquals(2, log.stream().filter(MetaCommand::hasRegister)
                .filter(c -> c.getRegister().getServerId().equals("server4")).count());
    }

    /**
     * A leader that has led for a while (its grace long over) gets a Register from a new
     * server4; the command outlasts the leader's timeout (TIMEOUT) and then applies.
     */
    private RegisterRequest registerTimedOutThenApplied() throws Exception {
        leader = newLeader(new Settings(2, 12, 3), 0, 20);
        assembled();
        for (int i = 0; i < 5; i++) {
            clock.advanceMs(1000);
            keepAlive("server1", "server2", "server3");
            tick();
        }
        logIsSlow = true;
        RegisterRequest first = registerRequest("server4", 0);
        assertEquals(ErrorCode.TIMEOUT, await(leader.register(first)).getCode());
        logIsSlow = false;
        slowLog.forEach(Runnable::run);
        slowLog.clear();
        assertEquals(1, state.get().server("server4").orElseThrow().incarnation());
        return first;
    }

    @Test
    void followerRefusesLeaderRequests() throws Exception {
        ready.set(false);
        tick();
        assertEquals(ErrorCode.NOT_LEADER, await(leader.register(RegisterRequest.newBuilder()
                .setServerId("server1").setAddress("h:1").build())).getCode());
        assertEquals(ErrorCode.NOT_LEADER, heartbeat("server1", 1));
    }

    /** Four servers assigned, server4 found silent, copies started: the joining chains. */
    private List<PartitionChain> fourthServerDiedAndCopiesStarted() {
        tick();
        for (int i = 1; i <= 4; i++) {
            register("server" + i);
        }
        tick();
        clock.advanceMs(2100);
        keepAlive("server1", "server2", "server3");
        tick();
        return state.get().chains().stream().filter(PartitionChain::hasJoining).toList();
    }

    private CompletableFuture<MetaCommandReply> caughtUp(PartitionChain c) {
        return caughtUp(c, state.get().epoch());
    }

    private CompletableFuture<MetaCommandReply> caughtUp(PartitionChain c, long mapEpoch) {
        return caughtUp(c, mapEpoch,
                state.get().server(c.joining()).orElseThrow().incarnation());
    }

    /** The tail's report that {@code c}'s joining replica, as that incarnation, caught up. */
    private CompletableFuture<MetaCommandReply> caughtUp(PartitionChain c, long mapEpoch,
            long joiningIncarnation) {
        return leader.reportCaughtUp(ReportCaughtUpRequest.newBuilder()
                .setPartition(c.partition()).setServerId(c.joining()).setReporter(c.tail())
                .setMapEpoch(mapEpoch).setJoiningIncarnation(joiningIncarnation).build());
    }

    /**
     * Three servers and a spare, server1's connection refused: it is dead, and the first
     * partition whose chain it left has the spare joining.
     */
    private PartitionChain aCopyAfterServer1Died() throws Exception {
        assembled();
        register("server4");
        probe.set(ProbeResult.REFUSED);
        await(leader.reportUnreachable("server1", "server2"));
        tick();
        return state.get().chains().stream().filter(PartitionChain::hasJoining).findFirst()
                .orElseThrow();
    }

    private static int joiningCount(ClusterState s) {
        return (int) s.chains().stream().filter(PartitionChain::hasJoining).count();
    }

    private void assembled() {
        tick();
        register("server1");
        register("server2");
        register("server3");
        tick();
        assertTrue(state.get().isAssigned());
    }

    /** Registers {@code id} from a new process (a start, or a restart). */
    private void register(String id) {
        try {
            assertEquals(ErrorCode.OK, await(leader.register(registerRequest(id, 0).toBuilder()
                    .setProcessId("proc-" + id + "-" + ++processes).build())).getCode());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A Register from the process of {@code id} that holds {@code incarnation} (0: it holds
     * none); each server id has one process unless a test gives another process id.
     */
    private static RegisterRequest registerRequest(String id, long incarnation) {
        return RegisterRequest.newBuilder().setServerId(id).setAddress("127.0.0.1:1")
                .setStorageId("disk-" + id).setIncarnation(incarnation)
                .setProcessId("proc-" + id).build();
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
