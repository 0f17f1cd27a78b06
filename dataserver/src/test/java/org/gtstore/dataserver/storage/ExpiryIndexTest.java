package org.gtstore.dataserver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gtstore.proto.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Values with an expiry and the expiry index, in RocksDB (across reopen) and in memory. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExpiryIndexTest {
    @TempDir
    Path dir;

    private static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private static Update put(int partition, long seq, String key, long expiresAtMs) {
        return Update.newBuilder().setPartition(partition).setSeq(seq).setKey(bytes(key))
                .setValue(bytes("v" + seq)).setExpiresAtMs(expiresAtMs).build();
    }

    private static ExpiryEntry entry(long at, int partition, long version, String key) {
        return new ExpiryEntry(at, partition, version, bytes(key));
    }

    /**
     * Writes: p1 a@100 (v1), p2 b@50 (v1), p1 c never (v2), p1 a@300 again (v3) in one batch,
     * then p1 d@70 (v4) and a@400 (v5), then d without a TTL (v6).
     */
    private static void write(LocalStore s) {
        s.apply(List.of(put(1, 1, "a", 100), put(2, 1, "b", 50), put(1, 2, "c", 0),
                put(1, 3, "a", 300)), Map.of(1, 3L, 2, 1L));
        s.apply(List.of(put(1, 4, "d", 70), put(1, 5, "a", 400)), Map.of(1, 5L));
        s.apply(List.of(put(1, 6, "d", 0)), Map.of(1, 6L));
    }

    @Test
    void valuesKeepTheirExpiryAndTheIndexListsDueEntriesInTimeOrder() {
        try (RocksDbStore r = RocksDbStore.open(dir); InMemoryStore m = new InMemoryStore()) {
            for (LocalStore s : List.<LocalStore>of(r, m)) {
                write(s);
                assertEquals(400, s.get(1, bytes("a")).expiresAtMs());
                assertEquals(0, s.get(1, bytes("c")).expiresAtMs());
                assertEquals(bytes("v5"), s.get(1, bytes("a")).value());
                assertTrue(s.get(1, bytes("a")).liveAt(399));
                assertFalse(s.get(1, bytes("a")).liveAt(400));
                assertEquals(List.of(), s.dueExpiries(49, null, 10));
                assertEquals(List.of(entry(50, 2, 1, "b"), entry(70, 1, 4, "d"),
                        entry(400, 1, 5, "a")), s.dueExpiries(1_000, null, 10),
                        "a TTL write replaces the entry of the value it overwrites (in its batch"
                        + " or before); a write without a TTL leaves it for the sweep");
                assertEquals(List.of(entry(50, 2, 1, "b")), s.dueExpiries(1_000, null, 1));
                assertEquals(List.of(entry(70, 1, 4, "d"), entry(400, 1, 5, "a")),
                        s.dueExpiries(1_000, entry(50, 2, 1, "b"), 10), "resumes after");
            }
        }
    }

    @Test
    void forgottenEntriesAreGoneAndTheRestSurvivesReopen() {
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            write(s);
            s.forgetExpiries(List.of(entry(70, 1, 4, "d")));
        }
        try (RocksDbStore s = RocksDbStore.open(dir)) {
            assertEquals(List.of(entry(50, 2, 1, "b"), entry(400, 1, 5, "a")),
                    s.dueExpiries(Long.MAX_VALUE - 1, null, 10));
            assertEquals(400, s.get(1, bytes("a")).expiresAtMs(), "the value's expiry too");
        }
    }

    @Test
    void aCopiedEntryIsIndexedOnlyWhenItIsStoredAndATombstoneHasNoExpiry() {
        try (RocksDbStore r = RocksDbStore.open(dir); InMemoryStore m = new InMemoryStore()) {
            for (LocalStore s : List.<LocalStore>of(r, m)) {
                s.apply(List.of(put(1, 5, "a", 0)), Map.of(1, 5L));
                s.apply(List.of(put(1, 4, "a", 70).toBuilder().setCopied(true).build(),
                        put(1, 6, "b", 80).toBuilder().setCopied(true).build(),
                        Update.newBuilder().setPartition(1).setSeq(7).setKey(bytes("c"))
                                .setTombstone(true).setExpiresAtMs(90).build()),
                        Map.of(1, 7L));
                assertEquals(List.of(entry(80, 1, 6, "b")), s.dueExpiries(1_000, null, 10),
                        "the older copy of a was not stored, nor indexed");
                assertEquals(0, s.get(1, bytes("c")).expiresAtMs());
            }
        }
    }

    @Test
    void anEncodedValueWithAnExpiryDecodesToTheSameValue() {
        StoredValue v = KeyCodec.decodeValue(KeyCodec.encodeValue(9, false, bytes("xyz"), 1234));
        assertEquals(new StoredValue(bytes("xyz"), 9, false, 1234), v);
        StoredValue plain = KeyCodec.decodeValue(KeyCodec.encodeValue(9, false, bytes("xyz")));
        assertEquals(new StoredValue(bytes("xyz"), 9, false, 0), plain);
        assertEquals(9, KeyCodec.versionOf(KeyCodec.encodeValue(9, false, bytes("x"), 5)));
    }
}
