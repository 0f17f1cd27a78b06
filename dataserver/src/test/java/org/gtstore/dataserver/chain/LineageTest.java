package org.gtstore.dataserver.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gtstore.proto.Branch;
import org.gtstore.proto.PartitionLineage;
import org.junit.jupiter.api.Test;

class LineageTest {

    @Test
    void aReplicaOnTheFirstBranchIsHeldUpToTheSeqTheHeadBranchedAfter() {
        // The head restarted at seq 5 (it may have lost 6..8) and opened branch 7.
        Lineage head = Lineage.FIRST.open(7, 5);
        assertTrue(head.holds(0, 5, 9), "seq 5 of the first branch is before the branch");
        assertFalse(head.holds(0, 6, 9), "seq 6 of the first branch is what the head lost");
        assertTrue(head.holds(7, 6, 9), "seq 6 written after the restart");
        assertFalse(head.holds(7, 10, 9), "beyond what the head applied");
        assertTrue(head.holds(0, 0, 9), "nothing applied is on every history");
        assertEquals(0, head.branchOf(5));
        assertEquals(7, head.branchOf(6));
    }

    @Test
    void aBranchOpenedBelowAnEarlierOneReplacesIt() {
        // Branch 7 after 5, then the head lost everything after 3 and opened branch 9.
        Lineage l = Lineage.FIRST.open(7, 5).open(9, 3);
        assertEquals(2, l.branches().size());
        assertFalse(l.holds(7, 6, 10), "branch 7 is gone from this history");
        assertTrue(l.holds(9, 4, 10));
        assertTrue(l.holds(0, 3, 10));
        assertFalse(l.holds(0, 4, 10));
    }

    @Test
    void aHistoryThatLostItsOldestBranchesHoldsNoneOfTheirSeqs() {
        Lineage l = Lineage.FIRST;
        for (int i = 1; i <= Lineage.MAX_BRANCHES + 2; i++) {
            l = l.open(i, i * 10L);
        }
        assertEquals(Lineage.MAX_BRANCHES, l.branches().size());
        assertFalse(l.holds(0, 5, 1_000), "the first branch was dropped");
        assertEquals(-1, l.branchOf(5));
        assertTrue(l.holds(Lineage.MAX_BRANCHES + 2, 400, 1_000));
    }

    @Test
    void storedAndSentFormsRoundTripAndMalformedOnesAreRefused() {
        Lineage l = Lineage.FIRST.open(7, 5);
        assertEquals(l, Lineage.fromBytes(l.toBytes(3)));
        assertEquals(l, Lineage.fromProto(l.toProto(3)));
        assertEquals(Lineage.FIRST, Lineage.fromBytes(new byte[0]));
        assertNull(Lineage.fromProto(PartitionLineage.newBuilder().build()), "no branch");
        assertNull(Lineage.fromProto(PartitionLineage.newBuilder()
                .addBranches(Branch.newBuilder().setId(1).setAfterSeq(5))
                .addBranches(Branch.newBuilder().setId(2).setAfterSeq(4)).build()),
                "branches out of order");
        assertNull(Lineage.fromProto(PartitionLineage.newBuilder()
                .addBranches(Branch.newBuilder().setId(-1).setAfterSeq(0)).build()),
                "negative id");
    }
}
