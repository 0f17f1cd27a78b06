package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetRequest;
import org.gtstore.proto.PartitionMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fencing (DESIGN.md "Fencing"): a server cut off from the metadata keeps running with its old
 * map. Its lease lapses before the metadata may move its chains (lease < failure timeout), and
 * epoch checks on every chain message stop it from changing anything the new chain holds. These
 * tests play the zombie: its map is never updated.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainFencingTest {
    private static final String KEY = "fenced-key";
    private static final int P = partitionOf(KEY);

    private static ChainHarness withValue() {
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        long t = h.put("a", KEY, "old");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        return h;
    }

    @Test
    void zombieTailCannotServeAStaleReadAfterTheTailMoved() {
        // Goal: c lost the metadata; the metadata (after the failure timeout, so after c's
        // lease lapsed) removes it and a new value is committed at the new tail b. A client
        // still holding map 1 asks c: c refuses instead of answering "old".
        ChainHarness h = withValue();
        h.step(h.node("c"), new ChainEvent.LeaseChanged(false));
        PartitionMap m2 = h.map(2, List.of("a", "b"), "");
        h.deliverMap(m2, "a", "b");
        h.epoch = 2;
        long t = h.put("a", KEY, "new");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertEquals(bytes("new"), h.getReply(h.get("b", KEY)).getValue());

        h.epoch = 1;
        assertEquals(ErrorCode.UNAVAILABLE, h.getReply(h.get("c", KEY)).getCode());
        // Nor is a client with the new map (which would not route here): the lease comes first.
        var newer = h.getReply(h.get("c", GetRequest.newBuilder().setEpoch(2).setPartition(P)
                .setKey(bytes(KEY)).build()));
        assertEquals(ErrorCode.UNAVAILABLE, newer.getCode());
    }

    @Test
    void zombieHeadCannotCommitWithOrWithoutItsLease() {
        // Goal: a lost the metadata and was replaced by b as head (map 2, which a never gets).
        // With its lease lapsed a refuses writes outright; even if it accepted one (the window
        // before its lease lapses), b refuses the update as built on an older chain, so
        // nothing reaches the new chain and the client is never told OK.
        ChainHarness h = withValue();
        PartitionMap m2 = h.map(2, List.of("b", "c"), "");
        h.deliverMap(m2, "b", "c");

        long inWindow = h.put("a", KEY, "zombie");
        h.deliverAll();
        assertNull(h.putReply(inWindow), "never acknowledged");
        assertEquals(1, h.replica("b").appliedSeq(P), "b applied nothing from epoch 1");
        assertEquals(1, h.replica("c").committedSeq(P));
        for (int i = 0; i < 5; i++) {
            h.tick("a");
        }
        assertEquals(ErrorCode.TIMEOUT, h.putReply(inWindow).getCode(),
                "the client hears an unknown outcome and retries at the new head");

        h.step(h.node("a"), new ChainEvent.LeaseChanged(false));
        assertEquals(ErrorCode.UNAVAILABLE, h.putReply(h.put("a", KEY, "zombie2")).getCode());

        h.epoch = 2;
        long real = h.put("b", KEY, "new");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(real).getCode());
        assertEquals(2, h.putReply(real).getVersion());
        assertEquals(bytes("new"), h.getReply(h.get("c", KEY)).getValue());
    }

    @Test
    void stoppingServerRefusesEverythingAndNamesTheNextMap() {
        // Goal: a graceful stop ends the lease for good: the head a and the tail c refuse puts
        // and gets with STALE_EPOCH naming epoch 2 (the map without them, which the metadata
        // makes next), so a client fetches that map at once instead of backing off; nothing
        // is applied. Writes already in the chain still commit.
        ChainHarness h = withValue();
        long inFlight = h.put("a", KEY, "in-flight");
        h.step(h.node("a"), new ChainEvent.LeaseChanged(false, true));
        h.step(h.node("c"), new ChainEvent.LeaseChanged(false, true));
        var put = h.putReply(h.put("a", KEY, "after-stop"));
        assertEquals(ErrorCode.STALE_EPOCH, put.getCode(), put.getMessage());
        assertEquals(2, put.getEpoch());
        var get = h.getReply(h.get("c", KEY));
        assertEquals(ErrorCode.STALE_EPOCH, get.getCode(), get.getMessage());
        assertEquals(2, get.getEpoch());
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(inFlight).getCode());
        assertEquals(2, h.replica("b").appliedSeq(P), "only the write sent before the stop");
    }
}
