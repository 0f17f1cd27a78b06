package org.gtstore.metadata.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.CopyEntry;
import org.gtstore.proto.DrainServer;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.ForgetServer;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.ShedLeaving;
import org.gtstore.proto.StartCopy;
import org.junit.jupiter.api.Test;

/** Moves of a chain (StartCopy with a leaving member, FinishCopy, ShedLeaving), drain, forget. */
class MembershipCommandsTest {

    /** server1..server4 registered, chains over server1..server3, server4 a spare. */
    private static ClusterState withSpare() {
        ClusterState s = Fixtures.assigned(3, 3, 6);
        return Fixtures.apply(s, Fixtures.register("server4", 1, "disk-4"));
    }

    private static MetaCommand move(ClusterState s, int p, String to, String leaving) {
        return MetaCommand.newBuilder().setStartCopy(StartCopy.newBuilder()
                .setExpectedEpoch(s.epoch()).addEntries(CopyEntry.newBuilder().setPartition(p)
                        .setServerId(to).setLeaving(leaving))).build();
    }

    private static MetaCommand shed(ClusterState s, int p, String member) {
        return MetaCommand.newBuilder().setShed(ShedLeaving.newBuilder()
                .setExpectedEpoch(s.epoch()).addEntries(Fixtures.entry(p, member))).build();
    }

    @Test
    void aMoveShedsANonTailMemberWhenTheCopyIsTheTail() {
        ClusterState s = withSpare();
        List<String> before = s.chain(0).replicas();
        String head = before.get(0);
        s = Fixtures.apply(s, move(s, 0, "server4", head));
        assertEquals(head, s.chain(0).leaving());
        assertEquals(before, s.chain(0).replicas(), "K members while the copy runs");
        s = Fixtures.apply(s, Fixtures.finishCopy(s, 0));
        PartitionChain c = s.chain(0);
        assertEquals(List.of(before.get(1), before.get(2), "server4"), c.replicas());
        assertFalse(c.hasLeaving());
        assertEquals(s.epoch(), c.epoch());
    }

    @Test
    void aLeavingTailStaysUntilShed() {
        ClusterState s = withSpare();
        List<String> before = s.chain(0).replicas();
        String tail = before.get(2);
        s = Fixtures.apply(s, move(s, 0, "server4", tail));
        s = Fixtures.apply(s, Fixtures.finishCopy(s, 0));
        assertEquals(List.of(before.get(0), before.get(1), tail, "server4"),
                s.chain(0).replicas(), "the old tail stays until it applied this map");
        assertEquals(tail, s.chain(0).leaving());
        Fixtures.assertRejected(s, shed(s, 0, "server4"), ErrorCode.INVALID_ARGUMENT);
        s = Fixtures.apply(s, shed(s, 0, tail));
        assertEquals(List.of(before.get(0), before.get(1), "server4"), s.chain(0).replicas());
        assertFalse(s.chain(0).hasLeaving());
        Fixtures.assertRejected(s, shed(s, 0, before.get(0)), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aDeathDuringAMoveKeepsTheLeavingMember() {
        ClusterState s = withSpare();
        List<String> before = s.chain(0).replicas();
        s = Fixtures.apply(s, move(s, 0, "server4", before.get(0)));
        s = Fixtures.apply(s, Fixtures.markDead(s, before.get(1)));
        assertFalse(s.chain(0).hasLeaving(), "the move is now a restore");
        assertEquals("server4", s.chain(0).joining());
        s = Fixtures.apply(s, Fixtures.finishCopy(s, 0));
        assertEquals(List.of(before.get(0), before.get(2), "server4"), s.chain(0).replicas());
    }

    @Test
    void aDeadJoiningReplicaEndsTheMove() {
        ClusterState s = withSpare();
        s = Fixtures.apply(s, move(s, 0, "server4", s.chain(0).head()));
        s = Fixtures.apply(s, Fixtures.markDead(s, "server4"));
        assertFalse(s.chain(0).hasLeaving());
        assertFalse(s.chain(0).hasJoining());
        assertEquals(3, s.chain(0).replicas().size());
    }

    @Test
    void movesAreRefusedWhenTheyWouldNotKeepK() {
        ClusterState s = withSpare();
        Fixtures.assertRejected(s, move(s, 0, "server4", "server9"), ErrorCode.INVALID_ARGUMENT);
        Fixtures.assertRejected(s, move(s, 0, s.chain(0).head(), s.chain(0).tail()),
                ErrorCode.INVALID_ARGUMENT);
        ClusterState shortOfK = Fixtures.apply(s, Fixtures.markDead(s, "server1"));
        int p = shortOfK.chains().stream().filter(c -> c.replicas().size() == 2).findFirst()
                .orElseThrow().partition();
        Fixtures.assertRejected(shortOfK, move(shortOfK, p, "server4",
                shortOfK.chain(p).head()), ErrorCode.INVALID_ARGUMENT);
        ClusterState draining = Fixtures.apply(s, drain("server4"));
        Fixtures.assertRejected(draining, move(draining, 0, "server4", s.chain(0).head()),
                ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void forgetTakesOnlyDeadServersThatHoldNoOnlyCopy() {
        ClusterState s = withSpare();
        Fixtures.assertRejected(s, forget("server4"), ErrorCode.INVALID_ARGUMENT);
        Fixtures.assertRejected(s, forget("server9"), ErrorCode.UNKNOWN_SERVER);
        ClusterState dead = Fixtures.apply(s, Fixtures.markDead(s, "server1"));
        assertTrue(dead.chains().stream().anyMatch(c -> c.departed().contains("server1")));
        ClusterState forgotten = Fixtures.apply(dead, forget("server1"));
        assertTrue(forgotten.server("server1").isEmpty());
        assertTrue(forgotten.chains().stream().noneMatch(c -> c.departed().contains("server1")));
        for (int p = 0; p < dead.chains().size(); p++) {
            assertEquals(dead.chain(p).epoch(), forgotten.chain(p).epoch(), "bookkeeping only");
        }
        ClusterState k1 = Fixtures.assigned(2, 1, 4);
        ClusterState lost = Fixtures.apply(k1, Fixtures.markDead(k1, "server1"));
        assertTrue(lost.unavailableCount() > 0);
        Fixtures.assertRejected(lost, forget("server1"), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void drainIsKeptAcrossARestartAndCanBeCancelled() {
        ClusterState s = Fixtures.apply(withSpare(), drain("server4"));
        assertTrue(s.server("server4").orElseThrow().draining());
        s = Fixtures.apply(s, Fixtures.register("server4", 2, "disk-4"));
        assertTrue(s.server("server4").orElseThrow().draining(), "a restart keeps the drain");
        s = Fixtures.apply(s, MetaCommand.newBuilder().setDrain(DrainServer.newBuilder()
                .setServerId("server4").setDrain(false)).build());
        assertFalse(s.server("server4").orElseThrow().draining());
    }

    private static MetaCommand drain(String id) {
        return MetaCommand.newBuilder().setDrain(DrainServer.newBuilder().setServerId(id)
                .setDrain(true)).build();
    }

    private static MetaCommand forget(String id) {
        return MetaCommand.newBuilder().setForget(ForgetServer.newBuilder().setServerId(id))
                .build();
    }
}
