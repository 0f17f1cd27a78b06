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
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The epoch rule is exact per chain: content built on a map older than its partition's current
 * chain is refused (and the refusal names the partition), while a map change elsewhere neither
 * stalls the streams nor forces clients to refresh. This matters because restoring K changes the
 * map once per partition.
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
        assertNull(h.putReply(ty), "the tail's ack is from epoch 2: a holds it for the map");
        assertNull(h.putReply(tx), "X waits until a has the map and re-syncs");
        assertEquals(2, h.node("a").mapWanted);
        h.deliverMap(epoch2(h), "a");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode());
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
    void clientWithAnOlderMapIsServedWhileItsChainIsUnchanged() {
        ChainHarness h = started();
        h.deliverMap(epoch2(h), "a", "b", "c", "d");
        h.epoch = 1;
        long ty = h.put("a", KEY_Y, "vy");
        long tx = h.put("a", KEY_X, "vx");
        PutReplyCheck.stale(h, tx);
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(ty).getCode());
        assertEquals(bytes("vy"), h.getReply(h.get("c", KEY_Y)).getValue());
        assertEquals(ErrorCode.STALE_EPOCH, h.getReply(h.get("c", KEY_X)).getCode());
        assertFalse(h.node("a").mapWanted > 2);
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
