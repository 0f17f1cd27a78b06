package org.gtstore.metadata.command;

import static org.gtstore.metadata.command.Fixtures.apply;
import static org.gtstore.metadata.command.Fixtures.assertRejected;
import static org.gtstore.metadata.command.Fixtures.disk;
import static org.gtstore.metadata.command.Fixtures.markDead;
import static org.gtstore.metadata.command.Fixtures.register;
import static org.gtstore.metadata.command.Fixtures.tips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.metadata.model.ClusterState;
import org.gtstore.metadata.model.PartitionChain;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.ReviveChains;
import org.gtstore.proto.ReviveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A partition whose every replica was declared dead is served again by the last replica
 * holding most, not by the one declared dead last: the members that died before it are last
 * replicas too, each reports its tip once it is back, and the best leads.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReviveTest {

    @Test
    void membersDeclaredDeadOneByOneAreAllLastReplicasInTheOrderTheyDied() {
        ClusterState s = Fixtures.assigned(3, 3, 3);
        List<String> chain = s.chain(0).replicas();
        ClusterState one = apply(s, markDead(s, chain.get(1)));
        assertEquals(List.of(chain.get(1)), one.chain(0).departed());
        ClusterState two = apply(one, markDead(one, chain.get(0)));
        assertEquals(List.of(chain.get(1), chain.get(0)), two.chain(0).departed());
        assertEquals(List.of(chain.get(2)), two.chain(0).replicas());
        ClusterState none = allDead(s);
        PartitionChain c = none.chain(0);
        assertTrue(c.isUnavailable());
        assertTrue(c.departed().isEmpty());
        assertEquals(List.of(chain.get(1), chain.get(0), chain.get(2)), c.lastReplicas());
    }

    @Test
    void theLastReplicaHoldingMostServesAgainOnceAllReported() {
        ClusterState s = Fixtures.assigned(3, 3, 3);
        List<String> last = allDead(s).chain(0).lastReplicas();
        ClusterState t = allBack(allDead(s));
        assertTrue(t.chain(0).isUnavailable(), "waits for the tips: " + t.chain(0));
        long epoch = t.chain(0).epoch();
        t = apply(t, tips(t, last.get(2), 0, 0, 5));
        t = apply(t, tips(t, last.get(0), 0, 0, 9));
        assertTrue(t.chain(0).isUnavailable(), "still waits for " + last.get(1));
        assertEquals(epoch, t.chain(0).epoch(), "recording a tip moves no chain");
        ClusterState revived = apply(t, tips(t, last.get(1), 0, 0, 7));
        assertEquals(List.of(last.get(0)), revived.chain(0).replicas(),
                "the first declared dead held most");
        assertEquals(revived.epoch(), revived.chain(0).epoch());
        assertTrue(revived.chain(0).tips().isEmpty());
        assertTrue(revived.chain(0).lastReplicas().isEmpty());
    }

    @Test
    void aNewerBranchWinsAndATieGoesToTheOneDeclaredDeadLast() {
        ClusterState s = allBack(allDead(Fixtures.assigned(3, 3, 3)));
        List<String> last = s.chain(0).lastReplicas();
        ClusterState t = apply(s, tips(s, last.get(0), 0, 3, 100));
        t = apply(t, tips(t, last.get(1), 0, 7, 2));
        t = apply(t, tips(t, last.get(2), 0, 7, 2));
        assertEquals(List.of(last.get(2)), t.chain(0).replicas());
    }

    @Test
    void theOnlyLastReplicaServesAgainAtOnce() {
        ClusterState s = Fixtures.assigned(3, 1, 3);
        String only = s.chain(0).head();
        ClusterState dead = apply(s, markDead(s, only));
        assertEquals(List.of(only), dead.chain(0).lastReplicas());
        ClusterState back = apply(dead, register(only, 2, disk(only)));
        assertEquals(List.of(only), back.chain(0).replicas());
    }

    @Test
    void aLastReplicaBackWithAnotherDiskIsNoLongerWaitedFor() {
        ClusterState s = allBack(allDead(Fixtures.assigned(3, 3, 3)), 2);
        List<String> last = s.chain(0).lastReplicas();
        s = apply(s, tips(s, last.get(0), 0, 0, 4));
        s = apply(s, tips(s, last.get(1), 0, 0, 6));
        String wiped = last.get(2);
        ClusterState t = apply(s, register(wiped, 3, "new-disk"));
        assertEquals(List.of(last.get(1)), t.chain(0).replicas(), "the best of the others");
    }

    @Test
    void aDepartedServerThatRegistersAgainIsNoLongerALastReplica() {
        ClusterState s = Fixtures.assigned(4, 3, 4);
        List<String> chain = s.chain(0).replicas();
        s = apply(s, markDead(s, chain.get(0)));
        s = apply(s, register(chain.get(0), 2, disk(chain.get(0))));
        assertFalse(s.chain(0).departed().contains(chain.get(0)), "a live spare now");
        s = apply(s, markDead(s, chain.get(1)));
        s = apply(s, markDead(s, chain.get(2)));
        assertEquals(List.of(chain.get(1), chain.get(2)), s.chain(0).lastReplicas());
    }

    @Test
    void atMostKMinusOneMembersAreRememberedAsDeparted() {
        ClusterState s = Fixtures.assigned(5, 2, 5);
        List<String> chain = s.chain(0).replicas();
        s = apply(s, markDead(s, chain.get(0)));
        s = Fixtures.finishAllCopies(apply(s, ReplicaRestorePlanner.plan(s).command()));
        String third = s.chain(0).tail();
        s = apply(s, markDead(s, chain.get(1)));
        assertEquals(List.of(chain.get(1)), s.chain(0).departed());
        s = apply(s, markDead(s, third));
        assertEquals(List.of(chain.get(1), third), s.chain(0).lastReplicas());
    }

    @Test
    void aLastReplicaThatDiesAgainLosesItsTip() {
        ClusterState s = allBack(allDead(Fixtures.assigned(3, 3, 3)));
        String first = s.chain(0).lastReplicas().get(0);
        s = apply(s, tips(s, first, 0, 0, 4));
        ClusterState t = apply(s, markDead(s, first));
        assertFalse(t.chain(0).tips().containsKey(first));
        assertEquals(s.chain(0).epoch(), t.chain(0).epoch());
        assertRejected(t, revive(t, 0), ErrorCode.EPOCH_MISMATCH);
    }

    @Test
    void reviveServesTheBestOfThoseHeardAndRefusesWhatIsNoLongerSo() {
        ClusterState s = allBack(allDead(Fixtures.assigned(3, 3, 3)), 2);
        List<String> last = s.chain(0).lastReplicas();
        assertRejected(s, revive(s, 0), ErrorCode.EPOCH_MISMATCH);
        s = apply(s, tips(s, last.get(0), 0, 0, 2));
        s = apply(s, tips(s, last.get(1), 0, 0, 3));
        assertRejected(s, MetaCommand.newBuilder().setRevive(ReviveChains.newBuilder()
                .addEntries(entry(0, s.chain(0).epoch() - 1))).build(), ErrorCode.EPOCH_MISMATCH);
        assertRejected(s, MetaCommand.newBuilder().setRevive(ReviveChains.newBuilder()
                .addEntries(entry(0, s.chain(0).epoch())).addEntries(entry(0, s.chain(0).epoch())))
                .build(), ErrorCode.INVALID_ARGUMENT);
        assertRejected(s, MetaCommand.newBuilder().setRevive(ReviveChains.newBuilder()
                .addEntries(entry(9, 1))).build(), ErrorCode.INVALID_ARGUMENT);
        ClusterState t = apply(s, revive(s, 0));
        assertEquals(List.of(last.get(1)), t.chain(0).replicas());
        assertRejected(t, revive(t, 0), ErrorCode.EPOCH_MISMATCH);
    }

    /** Every server of {@code s} declared dead, in the order of partition 0's chain (1, 0, 2). */
    private static ClusterState allDead(ClusterState s) {
        List<String> chain = s.chain(0).replicas();
        for (String id : List.of(chain.get(1), chain.get(0), chain.get(2))) {
            s = apply(s, markDead(s, id));
        }
        for (String id : s.servers().keySet()) {
            if (!s.server(id).orElseThrow().isDead()) {
                s = apply(s, markDead(s, id));
            }
        }
        return s;
    }

    /** Every server registered again on its disk. */
    private static ClusterState allBack(ClusterState s) {
        return allBack(s, s.servers().size());
    }

    /** The first {@code n} last replicas of partition 0 registered again on their disks. */
    private static ClusterState allBack(ClusterState s, int n) {
        List<String> ids = n == s.servers().size() ? List.copyOf(s.servers().keySet())
                : s.chain(0).lastReplicas().subList(0, n);
        for (String id : ids) {
            s = apply(s, register(id, s.server(id).orElseThrow().incarnation() + 1, disk(id)));
        }
        return s;
    }

    private static ReviveEntry entry(int partition, long chainEpoch) {
        return ReviveEntry.newBuilder().setPartition(partition).setChainEpoch(chainEpoch).build();
    }

    private static MetaCommand revive(ClusterState s, int partition) {
        return MetaCommand.newBuilder().setRevive(ReviveChains.newBuilder()
                .addEntries(entry(partition, s.chain(partition).epoch()))).build();
    }
}
