package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.storage.StoredValue;
import org.gtstore.proto.Chain;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.CopyChunk;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.PartitionMap;
import org.gtstore.proto.PartitionTip;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.ReplicaTip;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * State transfer (restoring K and rejoin): a successor behind what its predecessor
 * holds in memory is caught up by a copy of the partition from the predecessor's store, as of
 * its applied seq, in flow-controlled chunks, followed by the updates after that seq. Driven
 * through {@link ChainHarness}, whose copier reads chunks from {@code InMemoryStore} snapshots
 * only when the test lets it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainCopyTest {
    private static final String FIRST = "copy-key-0";
    private static final int P = partitionOf(FIRST);

    /** {@code n} keys of partition P. */
    private static List<String> keysOfP(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            String k = "copy-key-" + i;
            if (partitionOf(k) == P) {
                out.add(k);
            }
        }
        return out;
    }

    /** Chain a -> b with {@code n} keys written to partition P, c idle and empty. */
    private static ChainHarness withData(List<String> keys) {
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        writeAt(h, keys);
        return h;
    }

    /** {@code a} alone is every chain, holding the keys; {@code other} is idle and empty. */
    private static ChainHarness aloneWithData(List<String> keys, String other) {
        ChainHarness h = new ChainHarness("a", other);
        h.setMap(1, List.of("a"));
        h.deliverAll();
        writeAt(h, keys);
        return h;
    }

    /** Writes each key ("v-" + key) at head a, one at a time, each acknowledged. */
    private static void writeAt(ChainHarness h, List<String> keys) {
        for (String k : keys) {
            long t = h.put("a", k, "v-" + k);
            h.deliverAll();
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        }
    }

    /** {@link #withData}, then c joins after tail b and b's copy to it has sent one chunk. */
    private static ChainHarness copyUnderWay(List<String> keys) {
        ChainHarness h = withData(keys);
        h.copierPaused = true;
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        h.copyStep("b");
        h.deliverAll();
        assertTrue(h.replica("b").copying(P));
        return h;
    }

    /** How many copies of partition P {@code server} has started. */
    private static long copiesOfP(ChainHarness h, String server) {
        return h.node(server).copiesStarted.stream().filter(s -> s.partition() == P).count();
    }

    /**
     * Head a, whose writes b missed while blocked, restarts on map {@code m}; the hello reply
     * starts a copy in version order to b, one key a chunk, whose chunks the test reads.
     */
    private static void restartHeadToCopyOneKeyAChunk(ChainHarness h, PartitionMap m) {
        h.restart("a", m);
        h.blockedTo.clear();
        h.copyChunkKeys = 1;
        h.copierPaused = true;
        h.deliverAll();
        assertTrue(h.replica("a").copying(P));
    }

    private static void assertSameData(ChainHarness h, String from, String to,
            List<String> keys) {
        for (String k : keys) {
            StoredValue want = h.stored(from, k);
            StoredValue got = h.stored(to, k);
            assertEquals(want, got, "key " + k + " at " + to);
        }
        assertEquals(h.replica(from).appliedSeq(P), h.replica(to).appliedSeq(P));
    }

    @Test
    void tailCopiesItsSnapshotToTheJoiningReplicaInAWindowOfChunks() {
        // Goal: the copy starts at the tail's applied seq, from version 0 for an empty
        // replica; the copier reads no more than the window ahead of the receiver's acks.
        List<String> keys = keysOfP(20);
        ChainHarness h = withData(keys);
        h.copierPaused = true;
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        List<CopyCommand.Start> starts = h.node("b").copiesStarted;
        assertEquals(1, starts.size(), "only P has data: " + starts);
        CopyCommand.Start st = starts.get(0);
        assertEquals(P, st.partition());
        assertEquals("c", st.peer());
        assertEquals(0, st.fromVersion());
        assertEquals(20, st.snapshotSeq());
        int reads = 0;
        while (h.copyStep("b")) {
            reads++;
        }
        assertEquals(4, reads, "20 keys in chunks of 3, window of 4");
        assertTrue(h.replica("b").copying(P));
        h.copierPaused = false;
        h.deliverAll();
        assertFalse(h.replica("b").copying(P));
        assertSameData(h, "b", "c", keys);
        assertEquals(List.of(new CopyStatus(P, "c", 20, 20)), h.replica("b").copyStatus()
                .stream().filter(s -> s.partition() == P).toList());
        assertEquals(ErrorCode.NOT_RESPONSIBLE, h.getReply(h.get("c", FIRST)).getCode(),
                "a joining replica does not serve");
    }

    @Test
    void writesDuringTheCopyFollowTheLastChunkInOrder() {
        // Goal: the tail keeps serving during the copy; writes after the snapshot (overwrites
        // of copied keys and a delete among them) reach the joining replica after the copy,
        // so it ends with exactly the tail's state.
        List<String> keys = keysOfP(10);
        ChainHarness h = copyUnderWay(keys);
        List<Long> during = new ArrayList<>();
        during.add(h.put("a", keys.get(0), "new-0"));
        during.add(h.put("a", h.request(keys.get(9), "").setTombstone(true).build()));
        for (String k : keysOfP(14).subList(10, 14)) {
            during.add(h.put("a", k, "late-" + k));
        }
        h.deliverAll();
        for (long t : during) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode(), "the tail serves during a copy");
        }
        assertEquals(0, h.replica("c").appliedSeq(P), "applied moves only with the last chunk");
        h.copierPaused = false;
        h.deliverAll();
        assertSameData(h, "b", "c", keysOfP(14));
        assertEquals(16, h.replica("c").appliedSeq(P));
        assertTrue(h.stored("c", keys.get(9)).tombstone());
        assertEquals(16, h.replica("b").joiningAppliedSeq(P));
        assertEquals(0, h.replica("b").unackedCount(P), "acknowledged by the joining replica");
    }

    @Test
    void repeatedHelloRepliesDoNotRestartACopy() {
        // Goal: a slow successor answers the first hello and its retries; the copy starts on
        // the first reply and later (stale) replies neither restart it nor start another.
        List<String> keys = keysOfP(10);
        ChainHarness h = withData(keys);
        h.copierPaused = true;
        h.blockedTo.add("c");
        h.setMap(2, List.of("a", "b"), "c");
        for (int i = 0; i < 3; i++) {
            h.tick("b");
        }
        h.blockedTo.clear();
        h.deliverAll();
        assertEquals(1, copiesOfP(h, "b"), "one copy for three hellos");
        h.copierPaused = false;
        h.deliverAll();
        assertEquals(1, copiesOfP(h, "b"),
                "a finished copy is not started again by a stale reply");
        assertSameData(h, "b", "c", keys);
    }

    @Test
    void mapChangesElsewhereDoNotRestartACopyOrRepeatAPendingHello() {
        // Goal: restoring K after a death changes the map once per batch of finished copies,
        // often a dozen epochs in a few seconds. A partition whose own chain did not change
        // keeps its copy going (no new hello, so no restart from scratch), and a hello still
        // waiting for its reply is not sent again; only the tick retries a lost hello.
        List<String> keys = keysOfP(10);
        ChainHarness h = copyUnderWay(keys);
        int other = (P + 1) % ChainHarness.PARTITIONS;
        for (long e = 3; e <= 6; e++) {
            final long epoch = e;
            // Another partition's joining replica becomes its tail; P's chain stays as it was.
            PartitionMap m = h.map(epoch, p -> Chain.newBuilder().setPartition(p)
                    .addAllReplicas(p == other ? List.of("a", "b", "c") : List.of("a", "b"))
                    .setJoining(p == other ? "" : "c").setEpoch(p == other ? 3 : 2).build());
            h.deliverMap(m, "a", "b", "c");
            h.deliverAll();
        }
        assertEquals(1, copiesOfP(h, "b"), "the copy went on through four map changes elsewhere");
        h.copierPaused = false;
        h.deliverAll();
        assertEquals(1, copiesOfP(h, "b"));
        assertSameData(h, "b", "c", keys);
    }

    @Test
    void copiedEntryNeverOverridesNewerData() {
        // Goal: a chunk carrying an older version of a key the replica holds newer (here a
        // stale chunk injected after the live stream moved on) changes nothing.
        List<String> keys = keysOfP(3);
        ChainHarness h = withData(keys);
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        long t = h.put("a", FIRST, "newest");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        long newest = h.stored("c", FIRST).version();
        CopyChunk stale = CopyChunk.newBuilder().setPartition(P).setCopyId(999).setIndex(0)
                .setSnapshotSeq(1).addEntries(Update.newBuilder().setPartition(P).setSeq(1)
                        .setKey(bytes(FIRST)).setValue(bytes("stale")).setCopied(true))
                .build();
        h.step(h.node("c"), new ChainEvent.PeerMessage(ChainMessage.newBuilder().setFrom("b")
                .setEpoch(2).setCopy(stale).build(), StreamKind.INBOUND));
        assertEquals(bytes("newest"), h.stored("c", FIRST).value());
        assertEquals(newest, h.stored("c", FIRST).version());
    }

    @Test
    void tailReportsTheJoiningReplicaCaughtUpAndRepeatsUntilTheMapChanges() {
        List<String> keys = keysOfP(5);
        ChainHarness h = withData(keys);
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        List<CaughtUpReport> reports = h.node("b").caughtUp.stream()
                .filter(r -> r.partition() == P).toList();
        assertEquals(List.of(new CaughtUpReport(P, "c", 2, 5, 1)), reports);
        assertTrue(h.node("a").caughtUp.isEmpty(), "only the tail reports");
        for (int i = 0; i < 5; i++) {
            h.tick("b");
        }
        assertEquals(2, h.node("b").caughtUp.stream().filter(r -> r.partition() == P).count());
        h.setMap(3, List.of("a", "b", "c"));
        h.deliverAll();
        h.node("b").caughtUp.clear();
        for (int i = 0; i < 20; i++) {
            h.tick("b");
        }
        assertTrue(h.node("b").caughtUp.isEmpty(), "no reports once c is a member");
    }

    @Test
    void tailFedLiveWaitsForTheJoiningReplicaSoTheNewTailHasEveryAckedWrite() {
        // Goal: once the joining replica is fed live, the tail commits a write only after the
        // joining replica applied it, so the flip never leaves an acknowledged write behind.
        // Writes the old tail applied (and may have shown to readers) but that had not reached
        // the new tail yet are neither lost nor duplicated: the new tail answers UNAVAILABLE
        // until the old tail's hello tells it how far to catch up.
        List<String> keys = keysOfP(4);
        ChainHarness h = withData(keys);
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        h.blockedTo.add("c");
        List<Long> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add(h.put("a", keys.get(i), "late-" + i));
        }
        h.deliverAll();
        for (long t : pending) {
            assertNull(h.putReply(t), "not acknowledged before the joining replica has it");
        }
        PartitionMap flipped = h.map(3, List.of("a", "b", "c"), "");
        h.epoch = 3;
        h.deliverMap(flipped, "c");
        h.blockedTo.clear();
        assertEquals(ErrorCode.UNAVAILABLE, h.getReply(h.get("c", keys.get(0))).getCode());
        h.deliverMap(flipped, "a", "b");
        h.deliverAll();
        for (long t : pending) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        }
        for (int i = 0; i < 3; i++) {
            var r = h.getReply(h.get("c", keys.get(i)));
            assertEquals(ErrorCode.OK, r.getCode());
            assertEquals(bytes("late-" + i), r.getValue());
        }
        long next = h.put("a", keys.get(3), "after");
        h.deliverAll();
        assertEquals(8, h.putReply(next).getVersion(), "seqs continue, none reused");
        assertEquals(8, h.replica("c").committedSeq(P));
        assertEquals(0, h.replica("b").unackedCount(P));
    }

    @Test
    void gatedTailCommitsAloneAgainOnceTheJoiningReplicaIsRemoved() {
        List<String> keys = keysOfP(2);
        ChainHarness h = withData(keys);
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        h.blockedTo.add("c");
        long t = h.put("a", keys.get(0), "waits");
        h.deliverAll();
        assertNull(h.putReply(t));
        h.kill("c");
        h.setMap(3, List.of("a", "b"));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertEquals(bytes("waits"), h.getReply(h.get("b", keys.get(0))).getValue());
    }

    @Test
    void tailDyingDuringTheCopyLeavesTheNewTailToFinishIt() {
        // Goal: the joining replica keeps its partial copy; the new tail (the old tail's
        // predecessor) copies again from the replica's applied seq; the chunks already stored
        // are older or equal, so nothing regresses.
        List<String> keys = keysOfP(12);
        ChainHarness h = withData(keys);
        h.copierPaused = true;
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        h.copyStep("b");
        h.deliver("b", "c");
        assertEquals(0, h.replica("c").appliedSeq(P), "applied moves only with the last chunk");
        h.kill("b");
        long t = h.put("a", keys.get(0), "during");
        h.setMap(3, List.of("a"), "c");
        h.copierPaused = false;
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertSameData(h, "a", "c", keys);
        assertEquals(bytes("during"), h.stored("c", keys.get(0)).value());
        assertTrue(h.node("a").caughtUp.stream().anyMatch(r -> r.partition() == P
                && r.seq() == 13));
    }

    @Test
    void joiningReplicaDyingDuringTheCopyCancelsIt() {
        List<String> keys = keysOfP(12);
        ChainHarness h = withData(keys);
        h.copierPaused = true;
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        h.copyStep("b");
        assertTrue(h.replica("b").copying(P));
        assertEquals(1, h.node("b").copies.size());
        h.kill("c");
        h.setMap(3, List.of("a", "b"));
        assertFalse(h.replica("b").copying(P));
        assertTrue(h.node("b").copies.isEmpty(), "the copier was told to cancel");
        long t = h.put("a", keys.get(0), "after");
        h.copierPaused = false;
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertEquals(0, h.replica("b").unackedCount(P), "nothing retained without a successor");
    }

    @Test
    void restartedHeadCopiesWhatItsSuccessorMissesAndAnswersTheRetryOnlyOnceCommitted() {
        // Goal (rejoin in the old position): a head restarted with a write it persisted but
        // never forwarded has no memory of it; the successor's hello reply shows it behind, so
        // the head copies from its store. A retry of that write is deduplicated (the dedup
        // entry was stored with the write) but answered only after the tail has it.
        ChainHarness h = withData(keysOfP(2));
        PartitionMap m = h.map(1, List.of("a", "b"), "");
        h.blockedTo.add("b");
        PutRequest w = h.request(FIRST, "unforwarded").setClientId("cl").setRequestId(42)
                .build();
        h.put("a", w);
        assertEquals(3, h.replica("a").appliedSeq(P));
        h.restart("a", m);
        h.blockedTo.clear();
        h.copierPaused = true;
        h.deliverAll();
        assertTrue(h.replica("a").copying(P));
        long retry = h.put("a", w);
        assertNull(h.putReply(retry), "not committed yet: no answer");
        h.copierPaused = false;
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(retry).getCode());
        assertEquals(3, h.putReply(retry).getVersion(), "the original version");
        assertEquals(3, h.replica("b").appliedSeq(P), "applied once");
        assertEquals(bytes("unforwarded"), h.getReply(h.get("b", FIRST)).getValue());
    }

    @Test
    void retryOfAWriteAPartialCopySkippedIsNotAckedWhileTheTailReadsAnOlderValue() {
        // Goal (the last-survivor dedup hole): a restarted head a copies to tail b in version
        // order, from b's applied seq 1 to a's snapshot seq 4: k2@3, then k@4. Write w (k=x,
        // seq 2) is in no chunk, because k@4 overwrote it. b applies chunk 0 (k2@3, applied
        // 3) and restarts. Its store says applied 3, but it lacks k@2 and k@4: its k is older
        // than w. b must not report that state committed, or a answers the client's retry of
        // w OK (dedup) while b, the tail, reads the older value; and if a then dies mid-copy,
        // b is the last survivor and k's older value is all that is left.
        List<String> keys = keysOfP(2);
        String k = keys.get(0);
        String k2 = keys.get(1);
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        PutRequest first = h.request(k, "v-" + k).setClientId("cl").setRequestId(10).build();
        h.put("a", first);
        h.deliverAll();
        PartitionMap m = h.map(1, List.of("a", "b"), "");
        h.blockedTo.add("b");
        PutRequest w = h.request(k, "x").setClientId("cl").setRequestId(1).build();
        h.put("a", w);
        h.put("a", k2, "z");
        h.put("a", k, "y");
        assertEquals(4, h.replica("a").appliedSeq(P));
        restartHeadToCopyOneKeyAChunk(h, m);
        assertTrue(h.copyStep("a"));
        h.deliver("a", "b");
        assertEquals(3, h.replica("b").appliedSeq(P), "chunk 0: k2@3");
        assertEquals(bytes("v-" + k), h.stored("b", k).value(), "k@2 skipped, k@4 not yet");
        h.restart("b", m);
        long retry = h.put("a", w);
        h.deliverAll();
        var read = h.getReply(h.get("b", k));
        assertEquals(ErrorCode.UNAVAILABLE, read.getCode(),
                "the restarted tail, whose k is older than w, serves no read while it recovers");
        assertNull(h.putReply(retry), "and the retry of w is not acknowledged yet");
        h.kill("a");
        h.setMap(2, List.of("b"));
        long firstAgain = h.put("b", first.toBuilder().setEpoch(2).build());
        assertEquals(1, h.putReply(firstAgain).getVersion(),
                "the last survivor commits what it holds and answers a retry of a write it has");
        long again = h.put("b", w.toBuilder().setEpoch(2).build());
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(again).getCode());
        assertEquals(bytes("x"), h.getReply(h.get("b", k)).getValue(),
                "the last survivor applies the retried write, as it never had it");
    }

    @Test
    void copyCutShortLeavesTheNewHeadKnowingExactlyTheRequestsWhoseWritesItHolds() {
        // Goal (the copy dedup hole): restarted head a copies to b in version order, one key a
        // chunk: k2@3, k@4 (which overwrote w1's k@2), k3@5. b gets chunks 0 and 1, then a
        // dies and b is head with k2@3 and k@4 committed. Retries of w2 and w3 (held) and of
        // w1 (held, as overwritten by w3) get their original versions: applying one again
        // would be a second application of a committed write (w1 again would put k back to x
        // over y). A retry of w4 (k3@5, never copied, never committed) is applied anew.
        List<String> keys = keysOfP(3);
        String k = keys.get(0);
        String k2 = keys.get(1);
        String k3 = keys.get(2);
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        long first = h.put("a", k, "old");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(first).getCode());
        PartitionMap m = h.map(1, List.of("a", "b"), "");
        h.blockedTo.add("b");
        PutRequest w1 = h.request(k, "x").setClientId("cl").setRequestId(1).build();
        PutRequest w2 = h.request(k2, "z").setClientId("cl").setRequestId(2).build();
        PutRequest w3 = h.request(k, "y").setClientId("cl").setRequestId(3).build();
        PutRequest w4 = h.request(k3, "u").setClientId("cl").setRequestId(4).build();
        for (PutRequest w : List.of(w1, w2, w3, w4)) {
            h.put("a", w);
        }
        assertEquals(5, h.replica("a").appliedSeq(P));
        restartHeadToCopyOneKeyAChunk(h, m);
        for (int chunk = 0; chunk < 2; chunk++) {
            assertTrue(h.copyStep("a"));
            h.deliver("a", "b");
        }
        assertEquals(4, h.replica("b").appliedSeq(P), "chunks 0 and 1: k2@3, k@4");
        h.kill("a");
        h.setMap(2, List.of("b"));
        h.deliverAll();
        long[] versions = new long[4];
        int i = 0;
        for (PutRequest w : List.of(w1, w2, w3, w4)) {
            long t = h.put("b", w.toBuilder().setEpoch(2).build());
            h.deliverAll();
            assertEquals(ErrorCode.OK, h.putReply(t).getCode(), w.getKey().toStringUtf8());
            versions[i++] = h.putReply(t).getVersion();
        }
        assertEquals(2, versions[0], "w1 was applied (and overwritten by w3): not again");
        assertEquals(3, versions[1], "w2 was copied: its original version");
        assertEquals(4, versions[2], "w3 was copied: its original version");
        assertEquals(5, versions[3], "w4 was never held here: applied now");
        assertEquals(bytes("y"), h.getReply(h.get("b", k)).getValue());
        assertEquals(bytes("z"), h.getReply(h.get("b", k2)).getValue());
        assertEquals(bytes("u"), h.getReply(h.get("b", k3)).getValue());
    }

    @Test
    void memberReceivingACopyFeedsItsSuccessorOnlyOnceTheCopyIsWhole() {
        // Goal: middle b of a -> b -> c receives a copy in version order from restarted head a
        // and restarts after chunk 0 (k2@3; k@2 skipped, k@4 not yet sent). Its state has a
        // hole, so it must not copy or re-send it to c when c says where it is: c, the tail,
        // would commit seq 3 and its ack would let a answer the retry of w (k@2) while c reads
        // k older. Once b's copy is whole, c gets everything and the retry is answered.
        List<String> keys = keysOfP(2);
        String k = keys.get(0);
        String k2 = keys.get(1);
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        long first = h.put("a", k, "old");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(first).getCode());
        PartitionMap m = h.map(1, List.of("a", "b", "c"), "");
        h.blockedTo.add("b");
        PutRequest w = h.request(k, "x").setClientId("cl").setRequestId(1).build();
        h.put("a", w);
        h.put("a", k2, "z");
        h.put("a", k, "y");
        restartHeadToCopyOneKeyAChunk(h, m);
        assertTrue(h.copyStep("a"));
        h.deliver("a", "b");
        assertEquals(3, h.replica("b").appliedSeq(P));
        h.restart("b", m);
        long retry = h.put("a", w);
        h.deliverAll();
        for (int i = 0; i < 10; i++) {
            h.tick("b");
            while (h.copyStep("b")) {
                h.deliverAll();     // only a's copier waits
            }
            h.deliverAll();
        }
        assertEquals(1, h.replica("c").appliedSeq(P), "c is not fed b's partial state");
        assertNull(h.putReply(retry));
        assertEquals(bytes("old"), h.getReply(h.get("c", k)).getValue());
        h.copierPaused = false;
        h.deliverAll();
        assertEquals(4, h.replica("c").appliedSeq(P));
        assertEquals(ErrorCode.OK, h.putReply(retry).getCode());
        assertEquals(2, h.putReply(retry).getVersion(), "deduplicated: its original version");
        assertEquals(bytes("y"), h.getReply(h.get("c", k)).getValue());
    }

    @Test
    void joiningReplicaRestartedInItsPositionKeepsWhatWasCopied() {
        // Goal: the tail may already have reported it caught up; a restart that keeps the
        // joining position (same chain epoch) must not discard the copied data.
        List<String> keys = keysOfP(5);
        ChainHarness h = withData(keys);
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        assertEquals(5, h.replica("c").appliedSeq(P));
        h.restart("c", h.map(3, List.of("a", "b"), "c").toBuilder()
                .setChains(P, h.map(2, List.of("a", "b"), "c").getChains(P)).build());
        assertEquals(5, h.replica("c").appliedSeq(P));
        assertSameData(h, "b", "c", keys);
    }

    @Test
    void joiningReplicaHoldingKeysItsTailLostInAPowerCutIsCutBack() {
        // Goal: a copy in key order writes keys newer than the joining replica's applied seq
        // (0 until the last chunk). Its tail then loses them in a power cut; a copy that only
        // adds "newer wins" would leave them here, where the chain no longer has them.
        List<String> keys = keysOfP(5);
        ChainHarness h = aloneWithData(keys, "c");
        h.copierPaused = true;
        h.setMap(2, List.of("a"), "c");
        PartitionMap joining = h.map(2, List.of("a"), "c");
        h.deliverAll();
        h.copyStep("a");
        h.deliverAll();
        assertEquals(0, h.replica("c").appliedSeq(P));
        assertTrue(keys.stream().anyMatch(k -> h.stored("c", k) != null), "a chunk arrived");
        h.powerCut("a", 1_000);
        h.powerCut("c", 0);
        h.copierPaused = false;
        h.restart("a", joining);
        h.restart("c", joining);
        h.deliverAll();
        for (String k : keys) {
            assertNull(h.stored("c", k), "key " + k + " at c, lost at its tail");
        }
        assertEquals(h.replica("a").appliedSeq(P), h.replica("c").appliedSeq(P));
    }

    @Test
    void aLastReplicaOfAnUnavailableChainReportsWhatItStoredUntilTheMapHasIt() {
        // Goal: the metadata serves a partition whose replicas were all declared dead again
        // from the one holding most; a server back with no position reports its stored tip.
        List<String> keys = keysOfP(3);
        ChainHarness h = aloneWithData(keys, "b");
        h.restart("a", h.map(7, p -> Chain.newBuilder().setPartition(p).setEpoch(6)
                .addLastReplicas("b").addLastReplicas("a").build()));
        assertEquals(ChainHarness.PARTITIONS, h.node("a").tips.size(), "one per partition");
        PartitionTip tip = h.node("a").tips.stream().filter(t -> t.getPartition() == P)
                .findFirst().orElseThrow();
        assertEquals(6, tip.getChainEpoch());
        assertEquals(3, tip.getSeq());
        assertFalse(tip.getIncomplete());
        h.node("a").tips = List.of();
        for (int i = 0; i < 10; i++) {
            h.tick("a");
        }
        assertFalse(h.node("a").tips.isEmpty(), "repeated while the map lacks it");
        h.deliverMap(h.map(8, p -> Chain.newBuilder().setPartition(p).setEpoch(6)
                .addLastReplicas("b").addLastReplicas("a")
                .addTips(ReplicaTip.newBuilder().setServerId("a").setSeq(p == P ? 3 : 0))
                .build()), "a");
        h.node("a").tips = List.of();
        for (int i = 0; i < 10; i++) {
            h.tick("a");
        }
        assertTrue(h.node("a").tips.isEmpty(), "the map has it: " + h.node("a").tips);
    }

    @Test
    void aJoiningReplicaThatRegisteredAgainIsSyncedAgainBeforeItIsReportedCaughtUp() {
        // Goal: a power cut of the joining replica's machine ends its stream without a word; a
        // tail that still takes it as synced must not report the new process caught up on what
        // the old one acknowledged (and lost), nor name the old incarnation.
        ChainHarness h = withData(keysOfP(3));
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        assertEquals(1, h.node("b").caughtUp.get(0).joiningIncarnation());
        h.node("b").caughtUp.clear();
        h.incarnations.put("c", 2L);
        h.deliverMap(h.map(3, p -> h.map(2, List.of("a", "b"), "c").getChains(p)), "b");
        ArrayDeque<ChainMessage> toC = h.network.get(
                new ChainHarness.Link("b", "c", StreamKind.OUTBOUND));
        assertTrue(toC != null && toC.stream().anyMatch(m -> m.hasHello()
                && m.getHello().getPartitionsList().contains(P)), "b says hello to c again");
        assertTrue(h.node("b").caughtUp.isEmpty(), "no report before c answers");
        h.deliverAll();
        for (int i = 0; i < 5; i++) {
            h.tick("b");
        }
        assertTrue(h.node("b").caughtUp.stream().anyMatch(r -> r.partition() == P
                && r.joiningIncarnation() == 2), "reported as the new incarnation");
    }

    /** Makes {@code a} the whole chain in {@code m} and writes request 7 of "cl" (version 1). */
    private static PutRequest writeOnceOnALoneHead(ChainHarness h, PartitionMap m) {
        h.deliverMap(m, "a");
        h.epoch = 1;
        PutRequest w = h.request(FIRST, "once").setClientId("cl").setRequestId(7).build();
        assertEquals(1, h.putReply(h.put("a", w)).getVersion());
        return w;
    }

    @Test
    void retriedPutIsDeduplicatedAcrossARestart() {
        ChainHarness h = new ChainHarness("a");
        PartitionMap m = h.map(1, List.of("a"), "");
        PutRequest w = writeOnceOnALoneHead(h, m);
        h.restart("a", m);
        var again = h.putReply(h.put("a", w));
        assertEquals(ErrorCode.OK, again.getCode());
        assertEquals(1, again.getVersion());
        assertEquals(1, h.replica("a").appliedSeq(P));
    }

    @Test
    void retriedPutIsDeduplicatedAcrossARestartAfterLaterWritesTrimmedTheJournal() {
        // Goal: every later write is a journal record of its own, and the store deletes records
        // at every chance; the record holding the first request must outlive them all.
        ChainHarness h = new ChainHarness("a");
        PartitionMap m = h.map(1, List.of("a"), "");
        PutRequest w = writeOnceOnALoneHead(h, m);
        for (int i = 0; i < 50; i++) {
            h.putReply(h.put("a", h.request(FIRST, "later" + i).setClientId("other")
                    .setRequestId(100 + i).build()));
        }
        h.restart("a", m);
        var again = h.putReply(h.put("a", w));
        assertEquals(ErrorCode.OK, again.getCode());
        assertEquals(1, again.getVersion());
        assertEquals(51, h.replica("a").appliedSeq(P));
    }

    @Test
    void leftoverDataIsDiscardedWhenJoiningSoADeadHeadsUnforwardedWriteNeverReturns() {
        // Goal: c was head and persisted a write it never forwarded; after c is declared dead,
        // a reuses that seq for another write. When c returns as a joining replica, a copy with
        // "newer wins" alone would keep c's write (same version); c discards its leftovers.
        ChainHarness h = new ChainHarness("a", "c");
        h.setMap(1, List.of("c", "a"));
        h.deliverAll();
        h.blockedTo.add("a");
        h.put("c", FIRST, "never-acked");
        h.kill("c");
        h.blockedTo.clear();
        h.setMap(2, List.of("a"));
        long t = h.put("a", FIRST, "acked");
        h.deliverAll();
        assertEquals(1, h.putReply(t).getVersion());
        h.restart("c", null);
        h.setMap(3, List.of("a"), "c");
        h.deliverAll();
        assertEquals(bytes("acked"), h.stored("c", FIRST).value());
        Set<Long> versions = new HashSet<>();
        versions.add(h.stored("c", FIRST).version());
        assertEquals(Set.of(1L), versions);
        assertNotEquals(0, h.node("a").caughtUp.size());
    }
}
