package org.gtstore.dataserver.chain;

import static org.gtstore.dataserver.chain.ChainHarness.bytes;
import static org.gtstore.dataserver.chain.ChainHarness.partitionOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gtstore.dataserver.storage.StoredValue;
import org.gtstore.proto.ErrorCode;
import org.gtstore.proto.GetResponse;
import org.gtstore.proto.PutRequest;
import org.gtstore.proto.PutResponse;
import org.gtstore.proto.ScanEntry;
import org.gtstore.proto.ScanRequest;
import org.gtstore.proto.ScanResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Times to live on a chain, with the harness's fake wall clock: an expired value is never read,
 * the head deletes it through the chain so every replica agrees, and an expiry travels with its
 * value through restarts and copies.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExpiryTest {
    private static final long TTL_MS = 30_000;

    private static PutRequest withTtl(ChainHarness h, String key, String value, long ttlMs) {
        return h.request(key, value).setTtlMs(ttlMs).build();
    }

    /** Puts with a TTL at head a, acknowledged; returns the version. */
    private static long putWithTtl(ChainHarness h, String key, String value, long ttlMs) {
        long t = h.put("a", withTtl(h, key, value, ttlMs));
        h.deliverAll();
        PutResponse r = h.putReply(t);
        assertEquals(ErrorCode.OK, r.getCode(), String.valueOf(r));
        return r.getVersion();
    }

    private static GetResponse getAtTail(ChainHarness h, String key) {
        long t = h.get("c", key);
        h.deliverAll();
        return h.getReply(t);
    }

    private static void sweepAll(ChainHarness h) {
        for (String s : List.of("a", "b", "c")) {
            h.sweepExpiries(s);
        }
        h.deliverAll();
    }

    @Test
    void aValueIsReadUntilItExpiresAndNeverAfterEvenBeforeTheHeadDeletesIt() {
        ChainHarness h = ChainHarness.threeChain();
        long version = putWithTtl(h, "k", "v", TTL_MS);
        for (String s : List.of("a", "b", "c")) {
            assertEquals(h.nowMs + TTL_MS, h.stored(s, "k").expiresAtMs(), "at " + s);
        }
        h.advanceClock(TTL_MS - 1);
        GetResponse before = getAtTail(h, "k");
        assertEquals(ErrorCode.OK, before.getCode());
        assertEquals(version, before.getVersion());
        h.advanceClock(1);
        GetResponse after = getAtTail(h, "k");
        assertEquals(ErrorCode.NOT_FOUND, after.getCode(), "expired on time, not yet swept");
        assertEquals(0, after.getVersion(), "an expired key has no version, as an absent one");
    }

    @Test
    void theHeadDeletesAnExpiredValueThroughTheChainAndEveryIndexForgetsIt() {
        ChainHarness h = ChainHarness.threeChain();
        long version = putWithTtl(h, "k", "v", TTL_MS);
        h.sweepExpiries("a");
        h.deliverAll();
        assertFalse(h.stored("c", "k").tombstone(), "nothing is due before its time");

        h.advanceClock(TTL_MS);
        h.sweepExpiries("c");
        h.sweepExpiries("b");
        h.deliverAll();
        assertFalse(h.stored("c", "k").tombstone(), "only the head deletes");
        h.sweepExpiries("a");
        h.deliverAll();
        for (String s : List.of("a", "b", "c")) {
            StoredValue v = h.stored(s, "k");
            assertTrue(v.tombstone(), "deleted at " + s + ": " + v);
            assertEquals(version + 1, v.version(), "one delete, in seq order, at " + s);
        }
        sweepAll(h);
        for (String s : List.of("a", "b", "c")) {
            assertTrue(h.node(s).store.dueExpiries(h.nowMs, null, 10).isEmpty(),
                    "the stale index entry is gone at " + s);
        }
        sweepAll(h);
        assertEquals(version + 1, h.stored("c", "k").version(), "deleted once only");
    }

    @Test
    void aWriteBeforeTheExpiryKeepsTheKeyAndItsStaleEntryIsForgotten() {
        ChainHarness h = ChainHarness.threeChain();
        putWithTtl(h, "k", "old", TTL_MS);
        long plain = h.put("a", "k", "new");
        h.deliverAll();
        long version = h.putReply(plain).getVersion();
        h.advanceClock(2 * TTL_MS);
        sweepAll(h);
        GetResponse r = getAtTail(h, "k");
        assertEquals(ErrorCode.OK, r.getCode());
        assertEquals(bytes("new"), r.getValue());
        assertEquals(version, r.getVersion(), "the expiry of the old write deleted nothing");
        assertTrue(h.node("a").store.dueExpiries(h.nowMs, null, 10).isEmpty());
    }

    @Test
    void aPutOfTheKeyWhileTheExpiryIsCheckedComesAfterTheDelete() {
        ChainHarness h = ChainHarness.threeChain();
        putWithTtl(h, "k", "old", TTL_MS);
        h.advanceClock(TTL_MS);
        h.deferChecks = true;
        h.sweepExpiries("a");
        long put = h.put("a", "k", "new");
        h.deliverAll();
        assertNull(h.putReply(put), "waits behind the expiry's check of the key");
        h.answerChecks();
        h.deliverAll();
        PutResponse r = h.putReply(put);
        assertEquals(ErrorCode.OK, r.getCode());
        StoredValue v = h.stored("c", "k");
        assertEquals(bytes("new"), v.value(), "the new write survives the expiry");
        assertEquals(r.getVersion(), v.version());
    }

    @Test
    void conditionsSeeAnExpiredKeyAsAbsent() {
        ChainHarness h = ChainHarness.threeChain();
        long version = putWithTtl(h, "k", "v", TTL_MS);
        h.advanceClock(TTL_MS);
        PutResponse stale = h.putReply(h.put("a", h.request("k", "x").setConditional(true)
                .setIfVersion(version).build()));
        assertEquals(ErrorCode.CONFLICT, stale.getCode());
        assertEquals(0, stale.getVersion(), "the expired version is gone");
        long created = h.put("a", h.request("k", "fresh").setConditional(true).build());
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(created).getCode(), "put-if-absent succeeds");
        sweepAll(h);
        assertEquals(bytes("fresh"), h.stored("c", "k").value(), "the sweep keeps it");
    }

    @Test
    void aScanLeavesExpiredKeysOut() {
        ChainHarness h = ChainHarness.threeChain();
        List<String> keys = new ArrayList<>();
        int p = partitionOf("k0");
        for (int i = 0; keys.size() < 4; i++) {
            if (partitionOf("k" + i) == p) {
                keys.add("k" + i);
            }
        }
        putWithTtl(h, keys.get(0), "short", 1_000);
        putWithTtl(h, keys.get(1), "long", TTL_MS);
        h.put("a", keys.get(2), "forever");
        h.deliverAll();
        h.advanceClock(1_000);
        long t = h.scan("c", ScanRequest.newBuilder().setPartition(p).setLimit(10).build());
        h.deliverAll();
        ScanResponse r = h.scanReply(t);
        assertEquals(ErrorCode.OK, r.getCode());
        List<String> seen = new ArrayList<>();
        for (ScanEntry e : r.getEntriesList()) {
            seen.add(e.getKey().toStringUtf8());
        }
        assertEquals(List.of(keys.get(1), keys.get(2)).stream().sorted().toList(),
                seen.stream().sorted().toList());
    }

    @Test
    void anExpiryTravelsWithItsValueThroughACopyAndARestart() {
        ChainHarness h = new ChainHarness("a", "b", "c");
        h.setMap(1, List.of("a", "b"));
        h.deliverAll();
        long t = h.put("a", withTtl(h, "k", "v", TTL_MS));
        h.deliverAll();
        assertEquals(ErrorCode.OK, h.putReply(t).getCode());
        long expiresAt = h.stored("b", "k").expiresAtMs();
        h.setMap(2, List.of("a", "b"), "c");
        h.deliverAll();
        while (h.copyStep("b")) {
            h.deliverAll();
        }
        h.deliverAll();
        assertEquals(expiresAt, h.stored("c", "k").expiresAtMs(), "copied with its expiry");
        assertEquals(1, h.node("c").store.dueExpiries(expiresAt, null, 10).size(),
                "the copy's index has it");
        h.setMap(3, List.of("a", "b", "c"));
        h.deliverAll();
        h.kill("a");
        h.setMap(4, List.of("b", "c"));
        h.deliverAll();
        h.restart("c", h.map(4, List.of("b", "c"), ""));
        h.deliverAll();
        assertEquals(expiresAt, h.stored("c", "k").expiresAtMs(), "kept across a restart");
        h.advanceClock(TTL_MS);
        assertEquals(ErrorCode.NOT_FOUND, h.getReply(h.get("c", "k")).getCode());
        h.sweepExpiries("b");
        h.deliverAll();
        for (String s : List.of("b", "c")) {
            assertTrue(h.stored(s, "k").tombstone(), "the new head deleted it at " + s);
        }
    }

    @Test
    void aBadTtlIsRefusedAndWritesNothing() {
        ChainHarness h = ChainHarness.threeChain();
        for (PutRequest bad : List.of(withTtl(h, "k", "v", -1),
                withTtl(h, "k", "v", org.gtstore.proto.Ttl.MAX_MS + 1),
                h.request("k", "").setTombstone(true).setTtlMs(1_000).build())) {
            PutResponse r = h.putReply(h.put("a", bad));
            assertEquals(ErrorCode.INVALID_ARGUMENT, r.getCode(), bad.toString());
        }
        h.deliverAll();
        assertNull(h.stored("c", "k"));
    }
}
