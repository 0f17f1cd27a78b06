package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.ChainMessage;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.Update;
import org.gtstore.proto.UpdateBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The normal path of the chain protocol: ordering, acks, reads, epochs, dedup, limits. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainReplicaTest {

    @Test
    void writesFlowFromHeadToTailInSeqOrder() {
        // Goal: every replica applies the head's writes with the same seqs, in order.
        ChainHarness h = ChainHarness.threeChain();
        String key = "k1";
        for (int i = 1; i <= 5; i++) {
            h.put("a", key, "v" + i);
        }
        h.deliverAll();
        int p = partitionOf(key);
        for (String s : List.of("a", "b", "c")) {
            assertEquals(5, h.replica(s).appliedSeq(p), s);
            assertEquals(5, h.replica(s).committedSeq(p), s);
            assertEquals(bytes("v5"), h.stored(s, key).value(), s);
            assertEquals(5, h.stored(s, key).version(), s);
            assertEquals(0, h.replica(s).unackedCount(p), s);
        }
    }

    @Test
    void tailAnswersTheClientOnceItHasTheWriteAndAcksFlowBackAfter() {
        // Goal: the client hears OK only once the tail has the write, from the tail (the chain
        // replication paper's rule); the acknowledgement then frees the head's retention.
        ChainHarness h = ChainHarness.threeChain();
        long t = h.put("a", "key", "value");
        int p = partitionOf("key");
        assertNull(h.putReply(t));
        h.deliver("a", "b");
        assertNull(h.putReply(t), "middle has it, tail does not");
        h.deliver("b", "c");
        PutResponse r = h.putReply(t);
        assertEquals(ErrorCode.OK, r.getCode(), "the tail answered");
        assertEquals(1, r.getVersion());
        assertEquals("a", r.getServerId(), "the reply names the head that accepted the write");
        assertEquals(1, r.getEpoch());
        assertEquals(1, h.replica("a").unackedCount(p), "the ack is not back yet");
        h.deliver("c", "b");
        h.deliver("b", "a");
        assertEquals(0, h.replica("a").unackedCount(p));
        assertEquals(1, h.replica("a").committedSeq(p));
    }

    @Test
    void tailCoalescesItsAcknowledgementsUntilTheTick() {
        // Goal: with ackIntervalTicks 1 the tail answers its clients at once but sends one
        // acknowledgement per tick, however many writes it committed.
        ChainHarness h = new ChainHarness(new ChainReplicaConfig(1000, 3, 5, 1 << 20, 1000, 1000,
                4, 100, 5, 500_000, 1), "a", "b", "c");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tokens.add(h.put("a", "k", "v" + i));
        }
        h.deliverAll();
        tokens.forEach(t -> assertEquals(ErrorCode.OK, h.putReply(t).getCode()));
        int p = partitionOf("k");
        assertEquals(5, h.replica("a").unackedCount(p), "no acknowledgement before the tick");
        h.tick("c");
        assertEquals(1, h.network.get(new ChainHarness.Link("c", "b", StreamKind.INBOUND))
                .size(), "one ack message for five writes");
        h.deliverAll();
        assertEquals(0, h.replica("a").unackedCount(p));
        assertEquals(5, h.replica("a").committedSeq(p));
    }

    @Test
    void tailReadSeesCommittedOnlyAndOthersRefuseReads() {
        // Goal: a write pending in the middle is invisible; only the tail answers reads.
        ChainHarness h = ChainHarness.threeChain();
        h.put("a", "key", "old");
        h.deliverAll();
        h.put("a", "key", "new");
        h.deliver("a", "b");
        GetResponse r = h.getReply(h.get("c", "key"));
        assertEquals(ErrorCode.OK, r.getCode());
        assertEquals(bytes("old"), r.getValue());
        assertEquals(ErrorCode.NOT_RESPONSIBLE, h.getReply(h.get("a", "key")).getCode());
        assertEquals(ErrorCode.NOT_RESPONSIBLE, h.getReply(h.get("b", "key")).getCode());
        h.deliverAll();
        assertEquals(bytes("new"), h.getReply(h.get("c", "key")).getValue());
        assertEquals(ErrorCode.NOT_FOUND, h.getReply(h.get("c", "never-written")).getCode());
    }

    @Test
    void nonHeadRefusesWrites() {
        ChainHarness h = ChainHarness.threeChain();
        PutResponse r = h.putReply(h.put("b", "key", "v"));
        assertEquals(ErrorCode.NOT_RESPONSIBLE, r.getCode());
        assertEquals(0, h.replica("b").appliedSeq(partitionOf("key")));
    }

    @Test
    void rejectsClientRequestsFromOlderEpochAndAsksForNewerMap() {
        // Goal: an old epoch gets STALE_EPOCH with ours and changes nothing; a newer one
        // gets FUTURE_EPOCH and makes the driver fetch the map.
        ChainHarness h = new ChainHarness("a", "b");
        h.setMap(5, List.of("a", "b"));
        h.deliverAll();
        PutResponse stale = h.putReply(h.put("a", h.request("k", "v").setEpoch(4).build()));
        assertEquals(ErrorCode.STALE_EPOCH, stale.getCode());
        assertEquals(5, stale.getEpoch());
        assertEquals(0, h.replica("a").appliedSeq(partitionOf("k")));
        PutResponse future = h.putReply(h.put("a", h.request("k", "v").setEpoch(7).build()));
        assertEquals(ErrorCode.FUTURE_EPOCH, future.getCode());
        assertEquals(7, h.node("a").mapWanted);
        assertEquals(0, h.replica("a").appliedSeq(partitionOf("k")));
    }

    @Test
    void rejectsChainUpdatesFromOlderEpochWithoutApplying() {
        // Goal: nothing from an older epoch is applied; the sender hears STALE_EPOCH.
        ChainHarness h = new ChainHarness("a", "b");
        h.setMap(3, List.of("a", "b"));
        h.deliverAll();
        int p = partitionOf("k");
        ChainMessage old = ChainMessage.newBuilder().setFrom("a").setEpoch(2)
                .setUpdates(UpdateBatch.newBuilder().addUpdates(Update.newBuilder()
                        .setPartition(p).setSeq(1).setKey(bytes("k")).setValue(bytes("v"))))
                .build();
        h.step(h.node("b"), new ChainEvent.PeerMessage(old, StreamKind.INBOUND));
        assertEquals(0, h.replica("b").appliedSeq(p));
        assertNull(h.stored("b", "k"));
        ChainMessage reply = h.network.get(new ChainHarness.Link("b", "a", StreamKind.INBOUND))
                .peekLast();
        assertTrue(reply.hasRejected());
        assertEquals(ErrorCode.STALE_EPOCH, reply.getRejected().getCode());
        assertEquals(3, reply.getEpoch());
    }

    @Test
    void chainMessageFromNewerEpochWaitsForTheMap() {
        // Goal: a successor that is behind holds the hello until it has the newer map.
        ChainHarness h = new ChainHarness("a", "b");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        h.epoch = 2;
        h.step(h.node("a"), new ChainEvent.MapChanged(h.map(2, List.of("a", "b"), "")));
        h.deliverAll();
        assertEquals(2, h.node("b").mapWanted);
        long t = h.put("a", "k", "v");
        h.deliverAll();
        assertNull(h.putReply(t), "b holds a's messages until it sees epoch 2");
        h.step(h.node("b"), new ChainEvent.MapChanged(h.map(2, List.of("a", "b"), "")));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertEquals(1, h.replica("b").committedSeq(partitionOf("k")));
    }

    @Test
    void retriedPutIsAppliedOnceAndAnsweredWithOriginalVersion() {
        ChainHarness h = ChainHarness.threeChain();
        var req = h.request("k", "v").setClientId("client-1").setRequestId(42).build();
        long first = h.put("a", req);
        long retryInFlight = h.put("a", req);
        h.deliverAll();
        long retryAfter = h.put("a", req);
        h.deliverAll();
        for (long t : List.of(first, retryInFlight, retryAfter)) {
            assertEquals(ErrorCode.OK, h.putReply(t).getCode());
            assertEquals(1, h.putReply(t).getVersion());
        }
        assertEquals(1, h.replica("c").appliedSeq(partitionOf("k")));
    }

    @Test
    void aRetryOlderThanWhatTheHeadForgotIsRefusedNotAppliedTwice() {
        // Goal: the dedup table holds 2 entries. Request 1 is applied, then two more push it
        // out. Its retry is not found; as its first attempt predates the forgotten entry, the
        // head answers RETRY_TOO_OLD and applies nothing. A retry whose first attempt came
        // after the eviction (by more than the transit margin) is applied as a new write.
        ChainHarness h = new ChainHarness(new ChainReplicaConfig(2, 3, 1000, 1 << 20, 1000,
                1000), "a", "b", "c");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        var first = h.request("k", "v1").setClientId("c1").setRequestId(1);
        h.put("a", first.build());
        h.deliverAll();
        h.tick("a");
        for (int i = 2; i <= 3; i++) {
            h.put("a", h.request("k", "v" + i).setClientId("c1").setRequestId(i).build());
            h.deliverAll();
        }
        int p = partitionOf("k");
        assertEquals(3, h.replica("c").appliedSeq(p));
        long tooOld = h.put("a", first.setValue(com.google.protobuf.ByteString.copyFromUtf8(
                "v1")).setFirstAttemptAgeMs(150).build());
        h.deliverAll();
        assertEquals(ErrorCode.RETRY_TOO_OLD, h.putReply(tooOld).getCode(),
                h.putReply(tooOld).getMessage());
        assertEquals(3, h.replica("c").appliedSeq(p), "nothing applied");
        long untilSafe = ClientIngress.RETRY_TRANSIT_MARGIN_MS
                / ChainReplicaConfig.DEFAULT_TICK_MS + 2;
        for (long t = 0; t < untilSafe; t++) {
            h.tick("a");
        }
        long fresh = h.put("a", h.request("k", "v4").setClientId("c2").setRequestId(1)
                .setFirstAttemptAgeMs(50).build());
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(fresh).getCode(), h.putReply(fresh).getMessage());
        assertEquals(4, h.replica("c").appliedSeq(p));
    }

    @Test
    void aHeadWhoseChainsFallBehindRefusesNewWritesUntilTheyCatchUp() {
        // Goal: with 2,000 bytes of retention allowed, writes of 500-byte values that nobody
        // downstream acknowledges fill it after four; the next is refused (UNAVAILABLE, the
        // client backs off and retries) and applies nothing. Once the chain acknowledges,
        // writes are taken again.
        ChainHarness h = new ChainHarness(new ChainReplicaConfig(1000, 3, 100, 1 << 20, 1000,
                1000).withRetainedBytesMax(2000), "a", "b", "c");
        h.setMap(1, List.of("a", "b", "c"));
        h.deliverAll();
        String big = "x".repeat(500);
        int p = partitionOf("k");
        for (int i = 1; i <= 4; i++) {
            h.put("a", h.request("k", big + i).setClientId("c1").setRequestId(i).build());
        }
        long refused = h.put("a", h.request("k", big).setClientId("c1").setRequestId(5)
                .build());
        assertEquals(ErrorCode.UNAVAILABLE, h.putReply(refused).getCode());
        assertTrue(h.putReply(refused).getMessage().contains("not acknowledged"),
                h.putReply(refused).getMessage());
        assertEquals(4, h.replica("a").appliedSeq(p), "the refused write applied nothing");
        h.deliverAll();
        long taken = h.put("a", h.request("k", big).setClientId("c1").setRequestId(6)
                .build());
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(taken).getCode(), h.putReply(taken).getMessage());
        assertEquals(5, h.replica("c").appliedSeq(p));
    }

    @Test
    void aPutSharingARequestsIdsButNotItsKeyIsAnotherWrite() {
        // Goal: two processes given one client id reuse request ids; the second one's put of
        // another key in the same partition must be applied, not answered as a retry.
        ChainHarness h = ChainHarness.threeChain();
        String other = "k";
        for (int i = 0; partitionOf(other) != partitionOf("k") || other.equals("k"); i++) {
            other = "k" + i;
        }
        h.put("a", h.request("k", "v1").setClientId("app").setRequestId(1).build());
        h.deliverAll();
        h.put("a", h.request(other, "v2").setClientId("app").setRequestId(1).build());
        h.deliverAll();
        assertEquals(2, h.replica("c").appliedSeq(partitionOf("k")));
        assertEquals(2, h.stored("c", other).version());
        assertEquals(1, h.stored("c", "k").version());
    }

    @Test
    void deleteWritesTombstoneThatReadsAsNotFound() {
        ChainHarness h = ChainHarness.threeChain();
        h.put("a", "k", "v");
        long del = h.put("a", h.request("k", "").setTombstone(true).build());
        h.deliverAll();
        assertEquals(2, h.putReply(del).getVersion());
        assertTrue(h.stored("b", "k").tombstone());
        assertEquals(2, h.stored("c", "k").version());
        assertEquals(ErrorCode.NOT_FOUND, h.getReply(h.get("c", "k")).getCode());
    }

    @Test
    void invalidRequestsAreRejectedAndChangeNothing() {
        ChainHarness h = new ChainHarness("a");
        h.setMap(1, List.of("a"));
        ByteString bigKey = ByteString.copyFrom(new byte[1025]);
        ByteString bigValue = ByteString.copyFrom(new byte[(1 << 20) + 1]);
        int wrong = (partitionOf("k") + 1) % ChainHarness.PARTITIONS;
        List<Long> tokens = List.of(
                h.put("a", h.request("k", "v").setKey(ByteString.EMPTY).build()),
                h.put("a", h.request("k", "v").setKey(bigKey).build()),
                h.put("a", h.request("k", "v").setValue(bigValue).build()),
                h.put("a", h.request("k", "v").setPartition(wrong).build()),
                h.put("a", h.request("k", "v").setPartition(-1).build()));
        for (long t : tokens) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, h.putReply(t).getCode(),
                    h.putReply(t).getMessage());
        }
        for (int p = 0; p < ChainHarness.PARTITIONS; p++) {
            assertEquals(0, h.replica("a").appliedSeq(p));
        }
    }

    @Test
    void singleReplicaChainCommitsAtOnce() {
        ChainHarness h = new ChainHarness("a");
        h.setMap(1, List.of("a"));
        long t = h.put("a", "k", "v");
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        assertEquals(bytes("v"), h.getReply(h.get("a", "k")).getValue());
    }

    @Test
    void fiveReplicaChainKeepsOrderUnderInterleavedDelivery() {
        // Goal: with K=5 and deliveries interleaved with new puts, every replica ends with the
        // same seqs and values, and every client gets its version in order.
        ChainHarness h = new ChainHarness("a", "b", "c", "d", "e");
        h.setMap(1, List.of("a", "b", "c", "d", "e"));
        h.deliverAll();
        long[] tokens = new long[20];
        for (int i = 0; i < 20; i++) {
            tokens[i] = h.put("a", "key" + (i % 3), "v" + i);
            h.deliver("a", "b");
            if (i % 2 == 0) {
                h.deliver("b", "c");
                h.deliver("c", "d");
            }
        }
        h.deliverAll();
        for (int i = 0; i < 20; i++) {
            assertEquals(ErrorCode.OK, h.putReply(tokens[i]).getCode());
        }
        for (int i = 0; i < 3; i++) {
            String key = "key" + i;
            String expected = "v" + (i == 0 ? 18 : i == 1 ? 19 : 17);
            for (String s : List.of("a", "b", "c", "d", "e")) {
                assertEquals(bytes(expected), h.stored(s, key).value(), s + " " + key);
            }
            assertEquals(bytes(expected), h.getReply(h.get("e", key)).getValue());
        }
    }

    @Test
    void fencedReplicaRefusesReadsAndWrites() {
        // Goal: without a lease, even the rightful head and tail refuse (no stale reads).
        ChainHarness h = new ChainHarness("a", "b");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        h.step(h.node("a"), new ChainEvent.LeaseChanged(false));
        h.step(h.node("b"), new ChainEvent.LeaseChanged(false));
        assertEquals(ErrorCode.UNAVAILABLE, h.putReply(h.put("a", "k", "v")).getCode());
        assertEquals(ErrorCode.UNAVAILABLE, h.getReply(h.get("b", "k")).getCode());
        assertEquals(0, h.replica("a").appliedSeq(partitionOf("k")));
        h.step(h.node("a"), new ChainEvent.LeaseChanged(true));
        h.step(h.node("b"), new ChainEvent.LeaseChanged(true));
        long t = h.put("a", "k", "v");
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
    }

    @Test
    void serverWithoutMapIsUnavailable() {
        ChainReplica r = new ChainReplica("a", ChainReplicaConfig.defaults(), Map.of());
        r.step(new ChainEvent.ClientPut(org.gtstore.proto.PutRequest.getDefaultInstance(), 9, 0));
        Ready ready = r.ready();
        ClientReply.PutDone reply = (ClientReply.PutDone) ready.replies().get(0);
        assertEquals(ErrorCode.UNAVAILABLE, reply.response().getCode());
    }

    @Test
    void readyBeforePersistDoneIsAProgrammingError() {
        ChainReplica r = new ChainReplica("a", ChainReplicaConfig.defaults(), Map.of());
        r.step(new ChainEvent.ClientPut(org.gtstore.proto.PutRequest.getDefaultInstance(), 9, 0));
        assertFalse(r.ready().isEmpty());
        assertThrows(IllegalStateException.class, r::ready);
        r.step(new ChainEvent.PersistDone());
        assertTrue(r.ready().isEmpty());
    }

    @Test
    void putWaitingTooLongForTheTailTimesOut() {
        ChainHarness h = ChainHarness.threeChain();
        h.blockedTo.add("c");
        long t = h.put("a", "k", "v");
        h.deliverAll();
        for (int i = 0; i < 5; i++) {
            assertNull(h.putReply(t));
            h.tick("a");
        }
        assertEquals(ErrorCode.TIMEOUT, h.putReply(t).getCode());
    }

    @Test
    void recoversAppliedSeqFromStoreOnStart() {
        ChainReplica r = new ChainReplica("a", ChainReplicaConfig.defaults(),
                Map.of(partitionOf("k"), 41L));
        ChainHarness h = new ChainHarness("a");
        r.step(new ChainEvent.MapChanged(h.map(1, List.of("a"), "")));
        r.step(new ChainEvent.LeaseChanged(true));
        r.step(new ChainEvent.ClientPut(h.request("k", "v").setEpoch(1).setClientId("c")
                .setRequestId(7).build(), 1L, 0));
        Ready ready = r.ready();
        assertEquals(42, ready.writes().get(0).getSeq());
        assertNotNull(ready.roles());
        ClientReply.Committed c = (ClientReply.Committed) ready.replies().get(0);
        assertEquals(42, c.version());
        assertEquals(7, c.requestId());
    }
}
