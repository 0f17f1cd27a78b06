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
import org.gtstore.metadata.model.Tip;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.MetaCommand;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.RecordTips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A head that restarted on its store makes its chains settle: no head writes until every member
 * reported its tip, and then the chain is ordered by them, the replica holding most first.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SettleTest {

    @Test
    void aRestartedHeadSettlesTheChainsItHeadsAndTheReplicaHoldingMostLeads() {
        ClusterState s = Fixtures.assigned(3, 3, 3);
        List<String> chain = s.chain(0).replicas();
        String head = chain.get(0);
        ClusterState restarted = apply(s, register(head, 2, disk(head)));
        for (PartitionChain c : restarted.chains()) {
            boolean heads = c.head().equals(head);
            assertEquals(heads, c.settling(), "partition " + c.partition() + " " + c);
            assertEquals(heads ? restarted.epoch() : s.chain(c.partition()).epoch(), c.epoch());
            assertEquals(s.chain(c.partition()).replicas(), c.replicas(), "nothing moved yet");
        }
        long settlingEpoch = restarted.chain(0).epoch();
        ClusterState t = apply(restarted, tips(restarted, chain.get(1), 0, 0, 10));
        t = apply(t, tips(t, head, 0, 0, 5));
        assertTrue(t.chain(0).settling(), "waits for the tail's tip: " + t.chain(0));
        assertEquals(settlingEpoch, t.chain(0).epoch(), "recording a tip moves no chain");
        ClusterState settled = apply(t, tips(t, chain.get(2), 0, 0, 12));
        PartitionChain c = settled.chain(0);
        assertFalse(c.settling());
        assertTrue(c.tips().isEmpty());
        assertEquals(List.of(chain.get(2), chain.get(1), head), c.replicas());
        assertEquals(settled.epoch(), c.epoch(), "a settled chain is a new chain");
    }

    @Test
    void aNewerBranchHoldsMoreThanAHigherSeqAndAnIncompleteReplicaRanksLast() {
        assertTrue(new Tip(5, 3, false).compareTo(new Tip(2, 100, false)) > 0);
        assertTrue(new Tip(0, 1, false).compareTo(new Tip(9, 50, true)) > 0);
        assertTrue(new Tip(2, 7, false).compareTo(new Tip(2, 6, false)) > 0);
        ClusterState s = restartedHead(Fixtures.assigned(3, 3, 3));
        List<String> chain = s.chain(0).replicas();
        s = apply(s, tips(s, chain.get(0), 0, 2, 100));
        s = apply(s, tips(s, chain.get(1), 0, 9, 50, true));
        s = apply(s, tips(s, chain.get(2), 0, 5, 3));
        assertEquals(List.of(chain.get(2), chain.get(0), chain.get(1)), s.chain(0).replicas());
    }

    @Test
    void equalTipsKeepTheirOrder() {
        ClusterState s = restartedHead(Fixtures.assigned(3, 3, 3));
        List<String> chain = s.chain(0).replicas();
        for (String member : chain) {
            s = apply(s, tips(s, member, 0, 0, 7));
        }
        assertEquals(chain, s.chain(0).replicas());
        assertFalse(s.chain(0).settling());
    }

    @Test
    void theDeathOfTheLastMemberAwaitedSettlesTheChain() {
        ClusterState s = restartedHead(Fixtures.assigned(4, 3, 4));
        List<String> chain = s.chain(0).replicas();
        s = apply(s, tips(s, chain.get(0), 0, 0, 3));
        s = apply(s, tips(s, chain.get(2), 0, 0, 4));
        ClusterState after = apply(s, markDead(s, chain.get(1)));
        assertFalse(after.chain(0).settling(), after.chain(0).toString());
        assertEquals(List.of(chain.get(2), chain.get(0)), after.chain(0).replicas());
    }

    @Test
    void aMemberThatRestartsWhileItsChainSettlesReportsAgain() {
        ClusterState s = restartedHead(Fixtures.assigned(3, 3, 3));
        String middle = s.chain(0).replicas().get(1);
        s = apply(s, tips(s, middle, 0, 0, 9));
        assertTrue(s.chain(0).tips().containsKey(middle));
        ClusterState again = apply(s, register(middle, 2, disk(middle)));
        assertTrue(again.chain(0).settling());
        assertFalse(again.chain(0).tips().containsKey(middle), "its store may hold less now");
        assertEquals(s.chain(0).epoch(), again.chain(0).epoch(), "it was settling already");
    }

    @Test
    void tipsThatNoChainAwaitsAreRefusedAndChangeNothing() {
        ClusterState s = restartedHead(Fixtures.assigned(3, 3, 3));
        String middle = s.chain(0).replicas().get(1);
        ClusterState once = apply(s, tips(s, middle, 0, 0, 9));
        assertRejected(once, tips(once, middle, 0, 0, 9), ErrorCode.EPOCH_MISMATCH);
        MetaCommand oldEpoch = MetaCommand.newBuilder().setRecordTips(RecordTips.newBuilder()
                .setServerId(middle).setIncarnation(1).addTips(PartitionTip.newBuilder()
                        .setPartition(0).setChainEpoch(s.chain(0).epoch() - 1).setSeq(9)))
                .build();
        assertRejected(s, oldEpoch, ErrorCode.EPOCH_MISMATCH);
        MetaCommand stale = MetaCommand.newBuilder().setRecordTips(tips(s, middle, 0, 0, 9)
                .getRecordTips().toBuilder().setIncarnation(7)).build();
        assertRejected(s, stale, ErrorCode.UNKNOWN_SERVER);
        MetaCommand negative = MetaCommand.newBuilder().setRecordTips(tips(s, middle, 0, 0, 9)
                .getRecordTips().toBuilder().setTips(0, PartitionTip.newBuilder()
                        .setPartition(0).setSeq(-1))).build();
        assertRejected(s, negative, ErrorCode.INVALID_ARGUMENT);
        MetaCommand noSuchPartition = MetaCommand.newBuilder().setRecordTips(
                tips(s, middle, 0, 0, 9).getRecordTips().toBuilder().setTips(0,
                        PartitionTip.newBuilder().setPartition(99))).build();
        assertRejected(s, noSuchPartition, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aSettlingChainGetsNoCopy() {
        ClusterState s = Fixtures.assigned(4, 2, 4);
        PartitionChain c0 = s.chain(0);
        String spare = s.servers().keySet().stream().filter(id -> !c0.contains(id)).findFirst()
                .orElseThrow();
        ClusterState settling = restartedHead(s);
        assertRejected(settling, Fixtures.startCopy(settling, 0, spare), ErrorCode.UNAVAILABLE);
        assertTrue(ReplicaRestorePlanner.plan(settling).copies().stream()
                .noneMatch(e -> e.getPartition() == 0));
    }

    @Test
    void aHeadMadeWhileItWasRecoveringAsksItsChainToSettleAndTheReplicaHoldingMostLeads() {
        ClusterState s = Fixtures.assigned(3, 3, 3);
        List<String> chain = s.chain(0).replicas();
        ClusterState promoted = apply(s, markDead(s, chain.get(0)));
        assertEquals(chain.get(1), promoted.chain(0).head());
        assertRejected(promoted, ask(promoted, chain.get(2), 3), ErrorCode.EPOCH_MISMATCH);
        ClusterState settling = apply(promoted, ask(promoted, chain.get(1), 3));
        assertTrue(settling.chain(0).settling());
        assertEquals(settling.epoch(), settling.chain(0).epoch(), "a settling chain is new");
        assertTrue(settling.chain(0).tips().containsKey(chain.get(1)), "its tip is in");
        for (PartitionChain c : settling.chains()) {
            assertEquals(c.partition() == 0, c.settling(), "only the chain it asked for");
        }
        ClusterState settled = apply(settling, tips(settling, chain.get(2), 0, 0, 8));
        assertEquals(List.of(chain.get(2), chain.get(1)), settled.chain(0).replicas());
    }

    @Test
    void aLoneHeadHasNobodyToSettleWith() {
        ClusterState s = Fixtures.assigned(3, 2, 3);
        List<String> chain = s.chain(0).replicas();
        ClusterState alone = apply(s, markDead(s, chain.get(0)));
        assertEquals(List.of(chain.get(1)), alone.chain(0).replicas());
        assertRejected(alone, ask(alone, chain.get(1), 3), ErrorCode.EPOCH_MISMATCH);
    }

    /** {@code server}'s tip of partition 0, asking its chain to settle. */
    private static MetaCommand ask(ClusterState s, String server, long seq) {
        MetaCommand tip = tips(s, server, 0, 0, seq);
        return tip.toBuilder().setRecordTips(tip.getRecordTips().toBuilder().setTips(0,
                tip.getRecordTips().getTips(0).toBuilder().setAskSettle(true))).build();
    }

    /** The state after the head of partition 0 restarted on its disk. */
    private static ClusterState restartedHead(ClusterState s) {
        String head = s.chain(0).head();
        long incarnation = s.server(head).orElseThrow().incarnation() + 1;
        return apply(s, register(head, incarnation, disk(head)));
    }
}
