package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reconfiguration rules of DESIGN.md ("head died", "tail died", "middle died") and the
 * hello/resend handshake. Each test kills a server at a moment when writes are in flight and
 * checks that no acknowledged write is lost and that in-flight writes finish or are retried.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainRepairTest {

    private static ChainHarness chain(String... ids) {
        ChainHarness h = new ChainHarness(ids);
        h.setMap(1, List.of(ids));
        h.deliverAll();
        return h;
    }

    @Test
    void headRemovedSuccessorBecomesHeadAndContinuesSeqs() {
        // Goal: a write the old head forwarded only to its successor commits after repair, a
        // retry of it is answered with its original version, and new writes continue its seqs.
        ChainHarness h = chain("a", "b", "c");
        long acked = h.put("a", "k", "v1");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(acked).getCode());
        PutRequest inFlight = h.request("k", "v2").setClientId("c1").setRequestId(7).build();
        h.put("a", inFlight);
        h.deliver("a", "b");
        h.kill("a");
        h.setMap(2, List.of("b", "c"));
        h.deliverAll();
        int p = partitionOf("k");
        assertTrue(h.replica("b").position(p).head());
        assertEquals(2, h.replica("c").committedSeq(p), "b re-sent seq 2 after c's hello");
        long retry = h.put("b", PutRequest.newBuilder(inFlight).setEpoch(2).build());
        h.deliverAll();
        assertEquals(2, h.putReply(retry).getVersion(), "retry deduplicated");
        long next = h.put("b", "k", "v3");
        h.deliverAll();
        assertEquals(3, h.putReply(next).getVersion());
        assertEquals(bytes("v3"), h.getReply(h.get("c", "k")).getValue());
    }

    @Test
    void replicaMadeHeadWhileRecoveringAsksItsChainToSettleAndWritesNothing() {
        // Goal: b's machine lost power and took b's last writes, which its successor c still
        // holds (acknowledged); the head dies before b has learnt what it lacks. Writing as
        // head, b would give those seqs again and c would be cut back to b's history.
        ChainHarness h = chain("a", "b", "c");
        int p = partitionOf("k");
        for (int i = 1; i <= 3; i++) {
            long t = h.put("a", "k", "v" + i);
            h.deliverAll();
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        }
        h.powerCut("b", 2);
        h.restart("b", h.map(1, List.of("a", "b", "c"), ""));
        assertTrue(h.replica("b").recovering(p));
        assertTrue(h.replica("b").appliedSeq(p) < 3, "b lost its last writes");
        h.kill("a");
        h.setMap(2, List.of("b", "c"));
        h.deliverAll();
        assertTrue(h.replica("b").settleWait(p));
        assertTrue(h.node("b").tips.stream().anyMatch(t -> t.getPartition() == p
                && t.getAskSettle()), "asks its chain to settle: " + h.node("b").tips);
        long refused = h.put("b", "k", "over");
        h.deliverAll();
        assertEquals(ErrorCode.UNAVAILABLE, h.putReply(refused).getCode());
        h.setMap(3, List.of("c", "b"));
        h.deliverAll();
        long next = h.put("c", "k", "v4");
        h.deliverAll();
        assertEquals(4, h.putReply(next).getVersion(), "c's seqs go on");
        assertEquals(bytes("v4"), h.getReply(h.get("b", "k")).getValue());
        assertEquals(4, h.replica("b").appliedSeq(p));
    }

    @Test
    void retryIsAnsweredOnlyOnceTheNewSuccessorHoldsItsWrite() {
        // Goal: b committed request 7 as the tail; a lost it in a power cut, and the settled
        // chain puts a after b. What b knew as the tail says nothing of a: a retry is answered
        // OK only once a holds the write again, or one more failure would lose an OK'd write.
        ChainHarness h = chain("a", "b");
        int p = partitionOf("k");
        PutRequest w = h.request("k", "v").setClientId("c1").setRequestId(7).build();
        long first = h.put("a", w);
        h.deliverAll();
        assertEquals(1, h.putReply(first).getVersion());
        h.powerCut("a", 100);
        h.restart("a", null);
        h.blockedTo.add("a");
        h.setMap(2, List.of("b", "a"));
        h.deliverAll();
        long retry = h.put("b", PutRequest.newBuilder(w).setEpoch(2).build());
        h.deliverAll();
        assertNull(h.putReply(retry), "a does not hold it yet");
        h.blockedTo.clear();
        h.deliverAll();
        assertEquals(1, h.replica("a").appliedSeq(p));
        assertEquals(ErrorCode.OK, h.putReply(retry).getCode());
        assertEquals(1, h.putReply(retry).getVersion());
    }

    @Test
    void tailRemovedPredecessorCommitsPendingAndAcks() {
        // Goal: writes that reached the middle but not the tail are committed by the middle
        // when it becomes tail, and the head answers its clients.
        ChainHarness h = chain("a", "b", "c");
        h.blockedTo.add("c");
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(h.put("a", "k" + i, "v" + i));
        }
        h.deliverAll();
        tokens.forEach(t -> assertNull(h.putReply(t)));
        h.kill("c");
        h.blockedTo.clear();
        h.setMap(2, List.of("a", "b"));
        h.deliverAll();
        for (long t : tokens) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(bytes("v" + i), h.getReply(h.get("b", "k" + i)).getValue());
            assertEquals(0, h.replica("a").unackedCount(partitionOf("k" + i)));
        }
    }

    @Test
    void theHeadAnswersTheWritesANewTailCommitsForClientsThatNeverRegisteredWithIt() {
        // Goal: the clients of the writes in flight registered their sessions with the old
        // tail; the middle that commits them as the new tail cannot reach them, so its
        // acknowledgement leaves them to the head, which answers at once rather than letting
        // each client time out and retry.
        ChainHarness h = chain("a", "b", "c");
        h.noSessionAt.add("b");
        h.blockedTo.add("c");
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(h.put("a", "k" + i, "v" + i));
        }
        h.deliverAll();
        h.kill("c");
        h.blockedTo.clear();
        h.setMap(2, List.of("a", "b"));
        h.deliverAll();
        for (long t : tokens) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode(), "answered by the head");
        }
    }

    @Test
    void middleRemovedPredecessorResendsWhatTheNewSuccessorMisses() {
        // Goal: the new successor reports its applied seq in the hello reply, the predecessor
        // re-sends exactly the updates after it, and duplicates are dropped.
        ChainHarness h = chain("a", "b", "c");
        long first = h.put("a", "k", "v1");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(first).getCode());
        h.blockedTo.add("c");
        List<Long> pending = new ArrayList<>();
        for (int i = 2; i <= 4; i++) {
            pending.add(h.put("a", "k", "v" + i));
        }
        h.deliverAll();
        h.kill("b");
        h.blockedTo.clear();
        int p = partitionOf("k");
        assertEquals(1, h.replica("c").appliedSeq(p));
        assertEquals(3, h.replica("a").unackedCount(p));
        h.setMap(2, List.of("a", "c"));
        h.deliverAll();
        for (long t : pending) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        }
        assertEquals(4, h.replica("c").committedSeq(p));
        assertEquals(0, h.replica("a").unackedCount(p));
        assertEquals(bytes("v4"), h.getReply(h.get("c", "k")).getValue());
    }

    @Test
    void reconnectedSuccessorGetsEverythingLostWithTheStream() {
        // Goal: a broken stream loses messages; after PeerConnected the hello/resend makes
        // the successor whole without a map change.
        ChainHarness h = chain("a", "b");
        long t1 = h.put("a", "k", "v1");
        long t2 = h.put("a", "k", "v2");
        h.dropTo("b");
        h.step(h.node("a"), new ChainEvent.PeerDisconnected("b"));
        long t3 = h.put("a", "k", "v3");
        h.deliverAll();
        assertNull(h.putReply(t1));
        h.step(h.node("a"), new ChainEvent.PeerConnected("b"));
        h.deliverAll();
        for (long t : List.of(t1, t2, t3)) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        }
        assertEquals(bytes("v3"), h.getReply(h.get("b", "k")).getValue());
    }

    @Test
    void lostHelloIsSentAgainAfterRetryTicks() {
        ChainHarness h = new ChainHarness("a", "b");
        h.setMap(1, List.of("a", "b"));
        h.dropTo("b");
        long t = h.put("a", "k", "v");
        h.deliverAll();
        assertNull(h.putReply(t));
        for (int i = 0; i < 3; i++) {
            h.tick("a");
        }
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
    }

    @Test
    void lostAcksAreRecoveredFromTheHelloReply() {
        // Goal: acks rejected or lost across a map change still reach the head, via the
        // committed seqs in the hello reply.
        ChainHarness h = chain("a", "b");
        long t = h.put("a", "k", "v");
        h.deliver("a", "b");
        h.dropTo("a");
        assertEquals(1, h.replica("b").committedSeq(partitionOf("k")));
        h.setMap(2, List.of("a", "b"));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
    }

    @Test
    void serverLeavingTheChainStopsServingAndAnswersWaitingPuts() {
        ChainHarness h = chain("a", "b", "c");
        h.blockedTo.add("b");
        long t = h.put("a", "k", "v");
        h.setMap(2, List.of("b", "c"));
        assertEquals(ErrorCode.NOT_RESPONSIBLE, h.putReply(t).getCode());
        assertNull(h.replica("a").position(partitionOf("k")));
        assertEquals(ErrorCode.NOT_RESPONSIBLE, h.putReply(h.put("a", "k", "v")).getCode());
    }

    @Test
    void joiningReplicaReceivesNewWritesButNeitherCommitsNorServes() {
        // Goal: the tail feeds the joining replica; its acks do not commit and it does not
        // serve. It already holds everything, so nothing is copied.
        ChainHarness h = chain("a", "b", "c");
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        int p = partitionOf("k");
        assertTrue(h.node("b").copiesStarted.isEmpty(),
                "c already holds everything: nothing to copy");
        long t = h.put("a", "k", "v");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertEquals(1, h.replica("c").appliedSeq(p));
        assertEquals(1, h.replica("b").joiningAppliedSeq(p));
        assertEquals(ErrorCode.NOT_RESPONSIBLE, h.getReply(h.get("c", "k")).getCode());
        assertEquals(bytes("v"), h.getReply(h.get("b", "k")).getValue());
    }

    @Test
    void joiningReplicaBehindTheTailGetsACopy() {
        // Goal: a new, empty joining replica cannot be fed from memory (the tail kept nothing),
        // so the tail copies the partition from its store as of its applied seq.
        ChainHarness h = chain("a", "b");
        h.put("a", "k", "v");
        h.deliverAll();
        h.nodes.put("c", new ChainHarness.Node(new ChainReplica("c",
                ChainReplicaConfig.defaults(), java.util.Map.of())));
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        int p = partitionOf("k");
        assertEquals(1, h.node("b").copiesStarted.size());
        CopyCommand.Start start = h.node("b").copiesStarted.get(0);
        assertEquals("c", start.peer());
        assertEquals(p, start.partition());
        assertEquals(0, start.fromVersion());
        assertEquals(1, start.snapshotSeq());
        assertEquals(1, h.replica("c").appliedSeq(p));
        assertEquals(bytes("v"), h.stored("c", "k").value());
    }
}
