package org.gtstore.dataserver.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ChainMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Held message parts keep stream order per partition and nothing more. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeldPartsTest {
    private static final Lane LANE = new Lane("a", StreamKind.INBOUND);

    private static ChainMessage message(long epoch) {
        return ChainMessage.newBuilder().setFrom("a").setEpoch(epoch).build();
    }

    @Test
    void aPartWaitsBehindAnEarlierPartOfItsPartitionOnly() {
        // Goal: m1's part for partition 1 waits for map 3; m2's part for 1 (built on a chain we
        // have seen) waits behind it, m2's part for 2 does not wait at all; map 3 releases
        // both parts of 1 in stream order.
        HeldParts held = new HeldParts();
        ChainMessage m1 = message(3);
        ChainMessage m2 = message(3);
        held.hold(LANE, m1, Map.of(1, 3L));
        assertTrue(held.holds(LANE, 1));
        assertFalse(held.holds(LANE, 2));
        held.hold(LANE, m2, Map.of(1, 1L));
        assertEquals(List.of(), held.release(2), "epoch 2 has not seen partition 1's chain");
        List<HeldParts.Release> out = held.release(3);
        assertEquals(2, out.size());
        assertEquals(m1, out.get(0).message());
        assertEquals(m2, out.get(1).message());
        assertEquals(Set.of(1), out.get(1).partitions());
        assertTrue(held.isEmpty(LANE));
    }

    @Test
    void aPartWithoutChainEpochIsJudgedByTheMessageEpoch() {
        assertTrue(HeldParts.unseen(0, 5, 4));
        assertFalse(HeldParts.unseen(0, 4, 4));
        assertFalse(HeldParts.unseen(3, 5, 4), "the chain epoch decides when it is given");
        assertTrue(HeldParts.unseen(5, 5, 4));
    }
}
