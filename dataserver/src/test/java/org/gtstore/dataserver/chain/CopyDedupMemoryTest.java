package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PutResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A replica that got its partition by a copy remembers the partition's requests as far back as
 * the copy's source did (CopyChunk.dedup_memory_ms), not only from the copy on: a move that
 * makes it head does not refuse a client's retry as too old when the source would have
 * answered it, and still refuses one the source could not have vouched for.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CopyDedupMemoryTest {
    private static final String KEY = "dedup-memory-key";
    private static final int P = partitionOf(KEY);

    @Test
    void aHeadMadeByACopyAppliesARetryItsSourceWouldHaveApplied() {
        // Goal: a -> b applied c1/1; c joins, gets the whole partition by copy and becomes
        // head. A retry of c1/1 ten seconds after its first attempt is found (the copy brought
        // its entry) and a retry of c1/2, which no replica ever applied, is applied: a and b
        // never forgot a request, so neither does c.
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        assertOk(h, h.put("a", h.request(KEY, "v1").setClientId("c1").setRequestId(1).build()));
        makeHeadByCopy(h);

        PutResponse found = reply(h, h.put("c", h.request(KEY, "v1").setClientId("c1")
                .setRequestId(1).setFirstAttemptAgeMs(10_000).build()));
        assertEquals(ErrorCode.OK, found.getCode(), found.getMessage());
        assertEquals(1, found.getVersion(), "the original version");
        PutResponse applied = reply(h, h.put("c", h.request(KEY, "v2").setClientId("c1")
                .setRequestId(2).setFirstAttemptAgeMs(10_000).build()));
        assertEquals(ErrorCode.OK, applied.getCode(), applied.getMessage());
        assertEquals(2, applied.getVersion());
    }

    @Test
    void aHeadMadeByACopyRefusesARetryOlderThanWhatItsSourceForgot() {
        // Goal: the tables hold 4 entries; c1/1 in P, then four writes to another partition
        // push it out of a's and b's at tick T, and time runs on for long past the transit
        // margin. c copies P (only P) and becomes its head: a retry of an unknown request
        // first sent before T is refused as too old (a might have applied it and forgotten),
        // one first sent after T (by more than the margin) is applied.
        ChainHarness h = new ChainHarness(new ChainReplicaConfig(4, 3, 1000, 1 << 20, 1000,
                1000), "a", "b", "c");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        assertOk(h, h.put("a", h.request(KEY, "v1").setClientId("c1").setRequestId(1).build()));
        String other = keyOutsideP();
        for (int i = 1; i <= 4; i++) {
            assertOk(h, h.put("a", h.request(other, "o" + i).setClientId("c3").setRequestId(i)
                    .build()));
        }
        long marginTicks = ClientIngress.RETRY_TRANSIT_MARGIN_MS
                / ChainReplicaConfig.DEFAULT_TICK_MS;
        long ticks = 2 * marginTicks + 10;
        for (long t = 0; t < ticks; t++) {
            List.of("a", "b", "c").forEach(h::tick);
        }
        makeHeadByCopy(h);

        long memoryMs = ticks * ChainReplicaConfig.DEFAULT_TICK_MS;
        PutResponse tooOld = reply(h, h.put("c", h.request(KEY, "x").setClientId("c2")
                .setRequestId(1).setFirstAttemptAgeMs(memoryMs).build()));
        assertEquals(ErrorCode.RETRY_TOO_OLD, tooOld.getCode(), tooOld.getMessage());
        assertEquals(1, h.replica("b").appliedSeq(P), "nothing applied");
        long youngMs = memoryMs - ClientIngress.RETRY_TRANSIT_MARGIN_MS
                - 2 * ChainReplicaConfig.DEFAULT_TICK_MS;
        PutResponse applied = reply(h, h.put("c", h.request(KEY, "y").setClientId("c2")
                .setRequestId(2).setFirstAttemptAgeMs(youngMs).build()));
        assertEquals(ErrorCode.OK, applied.getCode(), applied.getMessage());
        assertEquals(2, applied.getVersion());
    }

    private static String keyOutsideP() {
        for (int i = 0; ; i++) {
            if (partitionOf("other-" + i) != P) {
                return "other-" + i;
            }
        }
    }

    /**
     * c joins P's chain a -> b (only P's), is copied to in key order, and becomes P's head:
     * c -> a -> b.
     */
    private static void makeHeadByCopy(ChainHarness h) {
        setChainOfP(h, 2, List.of("a", "b"), "c");
        assertEquals(h.replica("b").appliedSeq(P), h.replica("c").appliedSeq(P), "copied");
        setChainOfP(h, 3, List.of("c", "a", "b"), "");
    }

    private static void setChainOfP(ChainHarness h, long epoch, List<String> chain,
            String joining) {
        h.epoch = epoch;
        h.deliverMap(h.map(epoch, p -> Chain.newBuilder().setPartition(p).setEpoch(epoch)
                .addAllReplicas(p == P ? chain : List.of("a", "b"))
                .setJoining(p == P ? joining : "").build()), "a", "b", "c");
        h.deliverAll();
    }

    private static void assertOk(ChainHarness h, long token) {
        assertEquals(ErrorCode.OK, reply(h, token).getCode(), reply(h, token).getMessage());
    }

    private static PutResponse reply(ChainHarness h, long token) {
        h.deliverAll();
        PutResponse r = h.putReply(token);
        if (r == null) {
            throw new AssertionError("no answer to put " + token);
        }
        return r;
    }
}
