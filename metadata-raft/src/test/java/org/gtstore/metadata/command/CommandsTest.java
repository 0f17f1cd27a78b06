package org.gtstore.metadata.command;

import static org.gtstore.metadata.command.Fixtures.apply;
import static org.gtstore.metadata.command.Fixtures.markDead;
import static org.gtstore.metadata.command.Fixtures.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.AssignChains;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.ServerState;
import org.gtstore.proto.StartCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each command applied to a state gives the expected state; invalid ones change nothing. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CommandsTest {

    @Test
    void initClusterSetsSettingsOnceAndBumpsEpoch() {
        ClusterState s = apply(ClusterState.EMPTY, Fixtures.init(2, 8, 3));
        assertEquals(1, s.epoch());
        assertEquals(2, s.settings().replication());
        assertTrue(s.cause().contains("initialized"));
        assertRejected(s, Fixtures.init(3, 8, 3), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void registerBeforeInitIsRejected() {
        assertRejected(ClusterState.EMPTY, register("server1", 1, "d1"), ErrorCode.UNAVAILABLE);
    }

    @Test
    void registerRequiresAGrowingIncarnation() {
        ClusterState s = Fixtures.registered(2, 1, 4);
        assertEquals(ServerState.JOINING, s.server("server1").orElseThrow().state());
        assertRejected(s, register("server1", 1, "disk-1"), ErrorCode.EPOCH_MISMATCH);
    }

    @Test
    void registerKeepsTheProcessIdInTheEntryAndTheMap() {
        // The leader recognises a repeated Register by the process id of the live entry, on
        // any member and after a snapshot, so it is logged state and part of the wire map.
        ClusterState s = apply(Fixtures.registered(2, 1, 4), MetaCommand.newBuilder()
                .setRegister(register("server1", 2, "disk-1").getRegister().toBuilder()
                        .setProcessId("p-42")).build());
        assertEquals("p-42", s.server("server1").orElseThrow().processId());
        assertEquals("p-42", ClusterState.fromProto(s.toProto()).server("server1")
                .orElseThrow().processId());
        assertEquals("", s.server("server2").orElseThrow().processId(), "sent none");
    }

    @Test
    void firstAssignmentMakesServersAliveAndStampsChains() {
        ClusterState s = Fixtures.assigned(3, 2, 6);
        assertEquals(6, s.chains().size());
        for (PartitionChain c : s.chains()) {
            assertEquals(2, c.replicas().size());
            assertEquals(s.epoch(), c.epoch());
        }
        s.servers().values().forEach(e -> assertEquals(ServerState.ALIVE, e.state()));
    }

    @Test
    void assignWithStaleEpochOrDuplicateOrDeadServerIsRejected() {
        ClusterState s = Fixtures.registered(3, 2, 2);
        AssignChains good = ChainPlacement.assignCommand(List.of("server1", "server2",
                "server3"), 2, 2, s.epoch());
        assertRejected(s, assign(good.toBuilder().setExpectedEpoch(s.epoch() - 1).build()),
                ErrorCode.EPOCH_MISMATCH);
        AssignChains twice = good.toBuilder().setChains(0, Chain.newBuilder().setPartition(0)
                .addReplicas("server1").addReplicas("server1")).build();
        assertRejected(s, assign(twice), ErrorCode.INVALID_ARGUMENT);
        AssignChains partial = AssignChains.newBuilder().setExpectedEpoch(s.epoch())
                .addChains(good.getChains(0)).build();
        assertRejected(s, assign(partial), ErrorCode.INVALID_ARGUMENT);
        ClusterState dead = apply(s, markDead(s, "server3"));
        assertRejected(dead, assign(good.toBuilder().setExpectedEpoch(dead.epoch()).build()),
                ErrorCode.UNKNOWN_SERVER);
    }

    @Test
    void deadHeadIsReplacedBySuccessorAndDeadTailByPredecessor() {
        ClusterState s = Fixtures.assigned(3, 3, 3);
        PartitionChain before = s.chain(0);
        String head = before.head();
        String tail = before.tail();
        ClusterState afterHead = apply(s, markDead(s, head));
        assertEquals(before.replicas().get(1), afterHead.chain(0).head());
        assertEquals(ServerState.DEAD, afterHead.server(head).orElseThrow().state());
        assertEquals(s.epoch() + 1, afterHead.epoch());
        assertTrue(afterHead.cause().startsWith(head + " dead"));
        ClusterState afterTail = apply(s, markDead(s, tail));
        assertEquals(before.replicas().get(1), afterTail.chain(0).tail());
    }

    @Test
    void chainLosingItsLastReplicaBecomesUnavailableAndComesBackWithIt() {
        ClusterState s = Fixtures.assigned(2, 1, 2);
        String only = s.chain(0).head();
        ClusterState dead = apply(s, markDead(s, only));
        PartitionChain c = dead.chain(0);
        assertTrue(c.isUnavailable());
        assertEquals(List.of(only), c.lastReplicas());
        assertEquals(1, dead.unavailableCount());
        String disk = s.server(only).orElseThrow().storageId();
        ClusterState wiped = apply(dead, register(only, 2, "new-disk"));
        assertTrue(wiped.chain(0).isUnavailable(), "a wiped disk must not revive data");
        ClusterState back = apply(dead, register(only, 2, disk));
        assertEquals(List.of(only), back.chain(0).replicas());
        assertTrue(back.chain(0).lastReplicas().isEmpty());
        assertEquals(ServerState.ALIVE, back.server(only).orElseThrow().state());
    }

    @Test
    void restartWithSameDiskBeforeDeathKeepsPositions() {
        ClusterState s = Fixtures.assigned(3, 2, 6);
        ClusterState again = apply(s, register("server2", 2, "disk-2"));
        assertEquals(s.chains().stream().map(PartitionChain::replicas).toList(),
                again.chains().stream().map(PartitionChain::replicas).toList());
        assertEquals(ServerState.ALIVE, again.server("server2").orElseThrow().state());
        assertEquals(2, again.server("server2").orElseThrow().incarnation());
    }

    @Test
    void restartWithNewDiskLosesPositionsAndJoins() {
        ClusterState s = Fixtures.assigned(3, 2, 6);
        ClusterState again = apply(s, register("server2", 2, "other-disk"));
        again.chains().forEach(c -> assertTrue(!c.contains("server2")));
        assertEquals(ServerState.JOINING, again.server("server2").orElseThrow().state());
    }

    @Test
    void startAndFinishCopyAddAJoiningReplicaThenMakeItTail() {
        ClusterState s = Fixtures.assigned(3, 2, 3);
        s = apply(s, register("server4", 1, "disk-4"));
        String victim = s.chain(0).head();
        s = apply(s, markDead(s, victim));
        ClusterState copying = apply(s, Fixtures.startCopy(s, 0, "server4"));
        assertEquals("server4", copying.chain(0).joining());
        assertEquals(1, copying.chain(0).replicas().size());
        assertRejected(copying, Fixtures.startCopy(copying, 0, "server4"),
                ErrorCode.INVALID_ARGUMENT);
        ClusterState done = apply(copying, Fixtures.finishCopy(copying, 0));
        assertEquals("server4", done.chain(0).tail());
        assertEquals(PartitionChain.NONE, done.chain(0).joining());
        assertEquals(ServerState.ALIVE, done.server("server4").orElseThrow().state());
    }

    @Test
    void copyBatchesAreOneEpochEachAndStampOnlyTheListedChains() {
        ClusterState s = Fixtures.assigned(4, 3, 16);
        s = apply(s, markDead(s, "server2"));
        ReplicaRestorePlanner.Plan plan = ReplicaRestorePlanner.plan(s);
        assertTrue(plan.copies().size() > 1, "plan " + plan);
        ClusterState copying = apply(s, plan.command());
        assertEquals(s.epoch() + 1, copying.epoch());
        for (PartitionChain c : copying.chains()) {
            boolean listed = plan.copies().stream().anyMatch(e -> e.getPartition()
                    == c.partition());
            assertEquals(listed, c.hasJoining(), "partition " + c.partition());
            assertEquals(listed ? copying.epoch() : s.chain(c.partition()).epoch(), c.epoch());
        }
        int first = plan.copies().get(0).getPartition();
        ClusterState one = apply(copying, Fixtures.finishCopy(copying, first));
        assertEquals(copying.chain(first).joining(), one.chain(first).tail());
        ClusterState done = Fixtures.finishAllCopies(one);
        assertEquals(one.epoch() + 1, done.epoch());
        assertEquals(0, done.underReplicatedCount());
        for (PartitionChain c : done.chains()) {
            long expected = c.partition() == first ? one.epoch()
                    : one.chain(c.partition()).hasJoining() ? done.epoch()
                    : one.chain(c.partition()).epoch();
            assertEquals(expected, c.epoch(), "partition " + c.partition());
        }
    }

    @Test
    void copyBatchWithAnyInvalidEntryIsRejectedAsAWhole() {
        ClusterState s = Fixtures.assigned(3, 2, 6);
        s = apply(s, register("server4", 1, "disk-4"));
        s = apply(s, markDead(s, "server1"));
        ReplicaRestorePlanner.Plan plan = ReplicaRestorePlanner.plan(s);
        MetaCommand good = plan.command();
        StartCopy.Builder b = good.getStartCopy().toBuilder();
        assertRejected(s, startCopy(b.clone().addEntries(b.getEntries(0))),
                ErrorCode.INVALID_ARGUMENT);
        int full = s.chains().stream().filter(c -> c.replicas().size() == 2).findFirst()
                .orElseThrow().partition();
        assertRejected(s, startCopy(b.clone().addEntries(Fixtures.entry(full, "server4"))),
                ErrorCode.INVALID_ARGUMENT);
        assertRejected(s, startCopy(b.clone().setEntries(0, b.getEntries(0).toBuilder()
                .setServerId("server1"))), ErrorCode.UNKNOWN_SERVER);
        assertRejected(s, startCopy(b.clone().addEntries(Fixtures.entry(99, "server4"))),
                ErrorCode.INVALID_ARGUMENT);
        assertRejected(s, startCopy(b.clone().clearEntries()), ErrorCode.INVALID_ARGUMENT);
        assertRejected(s, startCopy(b.clone().setExpectedEpoch(s.epoch() - 1)),
                ErrorCode.EPOCH_MISMATCH);
        ClusterState copying = apply(s, good);
        int notJoining = full;
        MetaCommand finish = Fixtures.finishCopy(copying, plan.copies().get(0).getPartition());
        assertRejected(copying, finish.toBuilder().setFinishCopy(finish.getFinishCopy()
                .toBuilder().addEntries(Fixtures.entry(notJoining, "server4"))).build(),
                ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void assignKeepsTheEpochOfChainsItDoesNotChange() {
        ClusterState s = Fixtures.assigned(3, 2, 3);
        PartitionChain same = s.chain(0);
        PartitionChain moved = s.chain(1);
        List<String> reversed = List.of(moved.tail(), moved.head());
        AssignChains a = AssignChains.newBuilder().setExpectedEpoch(s.epoch())
                .addChains(same.toProto().toBuilder().setEpoch(0))
                .addChains(Chain.newBuilder().setPartition(1).addAllReplicas(reversed)).build();
        ClusterState next = apply(s, assign(a));
        assertSame(same, next.chain(0));
        assertEquals(reversed, next.chain(1).replicas());
        assertEquals(next.epoch(), next.chain(1).epoch());
        assertSame(s.chain(2), next.chain(2));
    }

    @Test
    void joiningReplicaThatDiesIsDropped() {
        ClusterState s = Fixtures.assigned(3, 2, 3);
        s = apply(s, register("server4", 1, "disk-4"));
        s = apply(s, markDead(s, s.chain(0).head()));
        s = apply(s, Fixtures.startCopy(s, 0, "server4"));
        List<String> replicas = s.chain(0).replicas();
        ClusterState after = apply(s, markDead(s, "server4"));
        assertEquals(PartitionChain.NONE, after.chain(0).joining());
        assertEquals(replicas, after.chain(0).replicas());
    }

    @Test
    void markDeadOfStaleIncarnationOrUnknownServerIsRejected() {
        ClusterState s = Fixtures.assigned(2, 1, 2);
        MetaCommand stale = markDead(s, "server1");
        ClusterState restarted = apply(s, register("server1", 2, "disk-1"));
        assertRejected(restarted, stale, ErrorCode.UNKNOWN_SERVER);
        assertRejected(s, markDead(s, "server1").toBuilder().setMarkDead(
                stale.getMarkDead().toBuilder().setServerId("nobody")).build(),
                ErrorCode.UNKNOWN_SERVER);
    }

    @Test
    void replayingTheSameLogGivesTheSameState() {
        List<MetaCommand> log = new ArrayList<>();
        ClusterState s = ClusterState.EMPTY;
        log.add(Fixtures.init(2, 16, 4));
        for (int i = 1; i <= 4; i++) {
            log.add(register("server" + i, 1, "disk-" + i));
        }
        for (MetaCommand c : log) {
            s = apply(s, c);
        }
        log.add(assign(ChainPlacement.assignCommand(new ArrayList<>(s.servers().keySet()), 16,
                2, s.epoch())));
        s = apply(s, log.get(log.size() - 1));
        log.add(markDead(s, "server3"));
        s = apply(s, log.get(log.size() - 1));
        log.add(ReplicaRestorePlanner.plan(s).command());
        s = apply(s, log.get(log.size() - 1));
        log.add(markDead(s, "server3"));
        ClusterState replayed = ClusterState.EMPTY;
        for (MetaCommand c : log) {
            replayed = Commands.apply(replayed, c).state();
        }
        assertEquals(s, replayed);
        assertEquals(s, ClusterState.fromProto(s.toProto()));
    }

    private static MetaCommand startCopy(StartCopy.Builder b) {
        return MetaCommand.newBuilder().setStartCopy(b).build();
    }

    private static MetaCommand assign(AssignChains a) {
        return MetaCommand.newBuilder().setAssign(a).build();
    }

    private static void assertRejected(ClusterState s, MetaCommand cmd, ErrorCode code) {
        assertEquals(code, Commands.validate(s, cmd).orElseThrow().code(), cmd.toString());
        Outcome o = Commands.apply(s, cmd);
        assertEquals(code, o.reply().getCode());
        assertSame(s, o.state(), "a rejected command must leave the state unchanged");
    }
}
