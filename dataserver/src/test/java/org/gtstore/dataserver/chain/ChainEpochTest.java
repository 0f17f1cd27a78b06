package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoch rule is exact per chain: content built on a map older than its partition's current
 * chain is refused (and the refusal names the partition), while a map change elsewhere neither
 * stalls the streams nor forces clients to refresh; a read is also answered by a tail that is
 * still the tail of the changed chain. This matters because restoring K changes the map once per
 * partition.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainEpochTest {
    private static final String KEY_X = "key-x";
    private static final int X = partitionOf(KEY_X);
    private static final String KEY_Y = findKeyOutside(X);
    private static final int Y = partitionOf(KEY_Y);

    private static String findKeyOutside(int partition) {
        for (int i = 0; ; i++) {
            if (partitionOf("key-y" + i) != partition) {
                return "key-y" + i;
            }
        }
    }

    /** Epoch 1: every chain a,b,c. Epoch 2: partition X gains joining d; nothing else moves. */
    private static PartitionMap epoch2(ChainHarness h) {
        return h.map(2, p -> {
            Chain.Builder c = Chain.newBuilder().setPartition(p).addAllReplicas(
                    List.of("a", "b", "c")).setEpoch(p == X ? 2 : 1);
            return (p == X ? c.setJoining("d") : c).build();
        });
    }

    private static ChainHarness started() {
        ChainHarness h = new ChainHarness("a", "b", "c", "d");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        return h;
    }

    @Test
    void updatesFromAnOlderMapApplyWhileTheirChainIsUnchanged() {
        // Goal: b has epoch 2, a still has epoch 1. a's update for Y (chain unchanged since 1)
        // is applied; its update for X (chain changed in 2) is refused, naming X only.
        ChainHarness h = started();
        h.deliverMap(epoch2(h), "b", "c", "d");
        h.deliverAll();
        long ty = h.put("a", KEY_Y, "vy");
        long tx = h.put("a", KEY_X, "vx");
        h.deliver("a", "b");
        assertEquals(1, h.replica("b").appliedSeq(Y));
        assertEquals(0, h.replica("b").appliedSeq(X));
        ChainMessage rejection = h.network.get(new ChainHarness.Link("b", "a",
                StreamKind.INBOUND)).peekLast();
        assertTrue(rejection.hasRejected());
        assertEquals(List.of(X), rejection.getRejected().getPartitionsList());
        h.deliverAll();
        assertEquals(1, h.replica("c").committedSeq(Y), "Y went all the way down");
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode(),
                "the tail's ack comes from map epoch 2 but from Y's chain of epoch 1: applied");
        assertNull(h.putReply(tx), "X waits until a has the map and re-syncs");
        assertEquals(2, h.node("a").mapWanted);
        h.deliverMap(epoch2(h), "a");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(tx).getCode());
        h.epoch = 2;
        assertEquals(bytes("vx"), h.getReply(h.get("c", KEY_X)).getValue());
    }

    @Test
    void mapChangeElsewhereDoesNotPauseForwarding() {
        // Goal: after epoch 2 (which only touches X), a put for Y flows down the chain at once,
        // without waiting for a hello round; only X is re-synced.
        ChainHarness h = started();
        h.deliverMap(epoch2(h), "a", "b", "c", "d");
        long ty = h.put("a", KEY_Y, "vy");
        var lane = h.network.get(new ChainHarness.Link("a", "b", StreamKind.OUTBOUND));
        ChainMessage hello = lane.pollFirst();
        assertEquals(List.of(X), hello.getHello().getPartitionsList());
        assertEquals(Y, lane.peekFirst().getUpdates().getUpdates(0).getPartition(),
                "Y's update follows without waiting for the hello reply");
        lane.addFirst(hello);
        h.deliver("a", "b");
        assertEquals(1, h.replica("b").appliedSeq(Y));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode());
    }

    @Test
    void clientWithAnOlderMapIsServedWhileItsChainIsUnchangedAndReadAtAStillTail() {
        // Goal: a client still on epoch 1 writes Y (chain unchanged) at once; its put of X
        // (chain changed in 2: joining d behind tail c) is sent for the new map, because the
        // put's answer comes from the tail its map names; its get of X at c, still the tail,
        // is answered, so restoring K sends no reader back for a map.
        ChainHarness h = started();
        h.deliverMap(epoch2(h), "a", "b", "c", "d");
        h.epoch = 1;
        long ty = h.put("a", KEY_Y, "vy");
        long tx = h.put("a", KEY_X, "vx");
        PutReplyCheck.stale(h, tx);
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode());
        assertEquals(bytes("vy"), h.getReply(h.get("c", KEY_Y)).getValue());
        assertEquals(ErrorCode.NOT_FOUND, h.getReply(h.get("c", KEY_X)).getCode(),
                "answered by the tail, which holds no value of X");
        assertFalse(h.node("a").mapWanted > 2);
    }

    @Test
    void clientWithAnOlderMapIsSentBackWhereItsServerLostItsRole() {
        // Goal: epoch 2 moves X to b,c,d (a left, d is the tail): a put of X at a and a get of
        // X at c (no longer the tail), both on epoch 1, are refused STALE_EPOCH with epoch 2,
        // so the client refreshes; Y, unchanged, is still served.
        ChainHarness h = started();
        PartitionMap moved = h.map(2, p -> Chain.newBuilder().setPartition(p)
                .addAllReplicas(p == X ? List.of("b", "c", "d") : List.of("a", "b", "c"))
                .setEpoch(p == X ? 2 : 1).build());
        h.deliverMap(moved, "a", "b", "c", "d");
        h.epoch = 1;
        long ty = h.put("a", KEY_Y, "vy");
        long tx = h.put("a", KEY_X, "vx");
        PutReplyCheck.stale(h, tx);
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode());
        GetResponse gx = h.getReply(h.get("c", KEY_X));
        assertEquals(ErrorCode.STALE_EPOCH, gx.getCode(), gx.getMessage());
        assertEquals(2, gx.getEpoch());
    }

    @Test
    void clientWithANewerMapIsServedWhileItsChainIsUnchanged() {
        // Goal: a client that got epoch 2 before the servers did is not sent away to wait
        // (FUTURE_EPOCH) for a partition whose chain is the one the servers serve; where the
        // chain changed, or the request does not say, it is, and the server fetches the map.
        ChainHarness h = started();
        PartitionMap next = epoch2(h);
        long ty = h.put("a", h.request(KEY_Y, "vy").setEpoch(2)
                .setChainEpoch(next.getChains(Y).getEpoch()).build());
        long tx = h.put("a", h.request(KEY_X, "vx").setEpoch(2)
                .setChainEpoch(next.getChains(X).getEpoch()).build());
        long unsaid = h.put("a", h.request(KEY_Y, "vy2").setEpoch(2).build());
        assertEquals(ErrorCode.FUTURE_EPOCH, h.putReply(tx).getCode());
        assertEquals(ErrorCode.FUTURE_EPOCH, h.putReply(unsaid).getCode());
        assertEquals(2, h.node("a").mapWanted);
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode());
        GetResponse read = h.getReply(h.get("c", GetRequest.newBuilder().setEpoch(2)
                .setChainEpoch(1).setPartition(Y).setKey(bytes(KEY_Y)).build()));
        assertEquals(bytes("vy"), read.getValue());
        assertEquals(0, h.replica("a").appliedSeq(X), "nothing of the refused put was applied");
    }

    @Test
    void updatesOfAnUnchangedChainApplyAtOnceWhileAnotherPartitionsPartsWait() {
        // Goal: b's map (epoch 1) lags behind a's (epoch 2, where only X's chain changed). One
        // batch from a carries updates for X and Y: Y's goes down the chain and is acknowledged
        // at once, without b fetching the map; X's (and a's hello for X) wait at b until b has
        // epoch 2, and then follow in order.
        ChainHarness h = started();
        h.deliverMap(epoch2(h), "a", "c", "d");
        h.deliverAll();
        h.epoch = 2;
        long ty = h.put("a", KEY_Y, "vy");
        long tx = h.put("a", KEY_X, "vx");
        h.deliverAll();
        assertEquals(1, h.replica("b").epoch(), "b never got epoch 2");
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode(), "Y acknowledged through b");
        assertEquals(1, h.replica("c").committedSeq(Y));
        assertEquals(0, h.replica("b").appliedSeq(X), "X's part waits for the map");
        assertNull(h.putReply(tx));
        assertEquals(2, h.node("b").mapWanted, "b asks for the map it has not seen");
        h.deliverMap(epoch2(h), "b");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(tx).getCode());
        assertEquals(1, h.replica("c").committedSeq(X));
        assertEquals(1, h.replica("d").appliedSeq(X), "the joining replica got X's write too");
    }

    @Test
    void partWhoseChainChangedInAnUnseenMapWaitsEvenWhenTheReceiversPositionIsTheSame() {
        // Goal: at epoch 2 X gains joining replica d; b's position in X (middle, fed by a) is
        // the same in both maps, yet a's X content built on X's chain of epoch 2 must not be
        // applied by b while b only knows epoch 1: b holds it, in order, and applies it only
        // once it has that map. (Applying it would act on a chain b has not seen.)
        ChainHarness h = started();
        h.deliverMap(epoch2(h), "a", "c", "d");
        h.deliverAll();
        h.epoch = 2;
        long tx = h.put("a", KEY_X, "vx");
        h.deliverAll();
        assertEquals(0, h.replica("b").appliedSeq(X));
        assertNull(h.putReply(tx));
        var toA = h.network.computeIfAbsent(new ChainHarness.Link("b", "a",
                StreamKind.INBOUND), k -> new java.util.ArrayDeque<>());
        assertTrue(toA.isEmpty(), "a's hello for X is neither answered nor refused: " + toA);
        h.deliverMap(epoch2(h), "b");
        assertTrue(toA.stream().anyMatch(m -> m.hasHelloReply()
                && m.getHelloReply().getApplied(0).getPartition() == X),
                "the held hello is answered once b has the map: " + toA);
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(tx).getCode());
    }

    @Test
    void gatedTailCommitsWhileItsMapLagsBehindAnUnrelatedChange() {
        // Goal (the middle-death stall): tail b feeds joining replica d for X live, so b commits
        // an X write only once d acknowledged it. A later map (epoch 3) changes only Y's chain
        // and reaches a and d but not b. X's writes still flow a -> b -> d and the acks d -> b
        // -> a at once, although a and d send from a map b has not seen: no hop waits for b's
        // map fetch.
        ChainHarness h = new ChainHarness("a", "b", "d");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        PartitionMap two = h.map(2, p -> Chain.newBuilder().setPartition(p)
                .addAllReplicas(List.of("a", "b")).setJoining(p == X ? "d" : "")
                .setEpoch(p == X ? 2 : 1).build());
        h.epoch = 2;
        h.deliverMap(two, "a", "b", "d");
        h.deliverAll();
        PartitionMap three = h.map(3, p -> Chain.newBuilder().setPartition(p)
                .addAllReplicas(List.of("a", "b")).setJoining(p == X || p == Y ? "d" : "")
                .setEpoch(p == X ? 2 : p == Y ? 3 : 1).build());
        h.epoch = 3;
        h.deliverMap(three, "a", "d");
        long tx = h.put("a", KEY_X, "vx");
        h.deliverAll();
        assertEquals(2, h.replica("b").epoch(), "b never got epoch 3");
        assertEquals(1, h.replica("d").appliedSeq(X), "b fed d at once");
        assertEquals(ErrorCode.OK, h.putReply(tx).getCode(), "d's ack committed X at b");
        assertEquals(1, h.replica("b").committedSeq(X));
    }

    /** Small assertion helper kept apart for readability. */
    private static final class PutReplyCheck {
        static void stale(ChainHarness h, long token) {
            var r = h.putReply(token);
            assertEquals(ErrorCode.STALE_EPOCH, r.getCode(), r.getMessage());
            assertEquals(2, r.getEpoch());
        }
    }
}
