package org.gtstore.dataserver.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** How far back a dedup table vouches for a partition's requests, and what a copy changes. */
class DedupTableTest {
    private static final long TICK_MS = 100;
    private static final int P = 3;

    @Test
    void aTableThatNeverForgotRemembersEverything() {
        DedupTable t = new DedupTable(10, 1);
        t.advance(50);
        assertEquals(DedupTable.REMEMBERS_ALL, t.memoryMs(P, TICK_MS));
        assertFalse(t.mayHaveForgotten(P, 60_000, TICK_MS, 0));
    }

    @Test
    void aCopyUnderWayVouchesOnlyFromItsLatestChunk() {
        DedupTable t = new DedupTable(10, 1);
        t.advance(10);
        t.copiedIn(P);
        t.advance(15);
        assertEquals(500, t.memoryMs(P, TICK_MS));
        assertTrue(t.mayHaveForgotten(P, 600, TICK_MS, 0));
        assertFalse(t.mayHaveForgotten(P, 400, TICK_MS, 0));
        assertEquals(DedupTable.REMEMBERS_ALL, t.memoryMs(P + 1, TICK_MS), "other partitions");
    }

    @Test
    void aWholeCopyRemembersAsFarBackAsItsSource() {
        DedupTable t = new DedupTable(10, 1);
        t.advance(100);
        t.copiedIn(P);
        t.copyCompleted(P, DedupTable.REMEMBERS_ALL, Long.MIN_VALUE, TICK_MS);
        assertEquals(DedupTable.REMEMBERS_ALL, t.memoryMs(P, TICK_MS));

        t.copiedIn(P);
        t.copyCompleted(P, 3_050, Long.MIN_VALUE, TICK_MS);
        assertEquals(3_000, t.memoryMs(P, TICK_MS), "rounded down to whole ticks");
        t.advance(110);
        assertEquals(4_000, t.memoryMs(P, TICK_MS));
    }

    @Test
    void aWholeCopyInVersionOrderRemembersNoFurtherBackThanTheReceiverDid() {
        DedupTable t = new DedupTable(10, 1);
        t.advance(100);
        t.copiedIn(P);
        t.advance(120);
        long own = t.copiedInAt(P);
        assertEquals(100, own);
        t.copiedIn(P);
        t.copyCompleted(P, DedupTable.REMEMBERS_ALL, own, TICK_MS);
        assertEquals(2_000, t.memoryMs(P, TICK_MS), "the receiver's own horizon");
        t.copiedIn(P);
        t.copyCompleted(P, 500, own, TICK_MS);
        assertEquals(500, t.memoryMs(P, TICK_MS), "the source's, later than its own");
    }

    @Test
    void aRestartedTableTellsACopyItsMemoryStartsAtTheRestart() {
        DedupTable t = new DedupTable(10, 1);
        t.advance(40);
        t.loaded(true);
        t.advance(45);
        assertEquals(500, t.memoryMs(P, TICK_MS), "what the process before knew is gone");
        assertFalse(t.mayHaveForgotten(P, 60_000, TICK_MS, 0), "its own answers: as before");
        DedupTable fresh = new DedupTable(10, 1);
        fresh.loaded(false);
        assertEquals(DedupTable.REMEMBERS_ALL, fresh.memoryMs(P, TICK_MS));
    }

    @Test
    void anEvictionBoundsEveryPartitionWhateverACopyBrought() {
        DedupTable t = new DedupTable(2, 1);
        t.advance(5);
        for (int i = 1; i <= 3; i++) {
            t.record("c1", i, P + 1, i, ByteString.copyFromUtf8("k"));
        }
        t.advance(25);
        t.copyCompleted(P, DedupTable.REMEMBERS_ALL, Long.MIN_VALUE, TICK_MS);
        assertEquals(2_000, t.memoryMs(P, TICK_MS), "forgotten at tick 5");
    }
}
